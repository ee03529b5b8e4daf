"""``brandguard run``: the monitoring daemon, until SIGTERM or SIGINT (both stop it cleanly, exit 0)."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from monitor.context import Context
from monitor.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from monitor.crawl.daemon import Daemon
    from monitor.web.metrics_server import MetricsServer


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "run",
        parents=parents,
        help="run the monitoring daemon (crawl, score, alert) until stopped",
        description="Crawl the configured sources on their schedules, score new mentions, open incidents "
        "and send notifications. SIGTERM or Ctrl-C stop it cleanly: in-flight crawls finish or are "
        "abandoned, claims are released, exit status 0.",
    )
    p.add_argument("--once", action="store_true", help="one poll, deadline, outbox and audit tick, then exit")
    p.add_argument("--quiet", action="store_true", help="log warnings and errors only")
    p.add_argument(
        "--listen",
        default="127.0.0.1:8080",
        metavar="HOST:PORT",
        help="serve the web console and API here while running (default 127.0.0.1:8080)",
    )
    p.add_argument("--no-web", action="store_true", help="do not serve the web console")
    p.add_argument(
        "--metrics-listen",
        metavar="HOST:PORT",
        help="also serve /metrics without a token on this loopback address (e.g. 127.0.0.1:9464)",
    )
    p.add_argument(
        "--log-format",
        choices=("json", "text"),
        default="json",
        help="json: one event per line (default); text: for reading in a terminal",
    )
    p.add_argument(
        "--insecure-cookies",
        action="store_true",
        help="send the console's session cookie over plain http (only for http://127.0.0.1 use)",
    )
    p.set_defaults(handler=_run)


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"--listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got {value!r})")
    return host.strip("[]"), int(port)


def configure_logging(quiet: bool, fmt: str = "text", tz: str = "Asia/Shanghai") -> None:
    """Events on stderr, times in the display zone with their offset; library chatter at WARNING."""
    from monitor.logs import setup_logging

    setup_logging(fmt=fmt, level=logging.WARNING if quiet else logging.INFO, tz=tz)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    config = ctx.config
    if not config.sources:
        raise UsageError("no sources configured: add [[sources]] to brandguard.toml (see `brandguard init`)")
    # Before the database opens: Alembic's INFO lines at every start are library chatter too.
    configure_logging(args.quiet, args.log_format, config.alerts.display_tz)
    from monitor.crawl.daemon import AlertTicks, Daemon
    from monitor.crawl.steps import RealSteps, default_parse_executor
    from monitor.incidents import deliver_due, process_pending_mentions, tick_deadlines

    executor = default_parse_executor()
    try:
        steps = RealSteps(config, actor="daemon", parse_executor=executor).steps()
        alerting = AlertTicks(policy=process_pending_mentions, deadlines=tick_deadlines, outbox=deliver_due)
        ticks = rollup_ticks(ctx) + briefing_ticks(ctx) + spike_ticks(ctx)
        daemon = Daemon(ctx.engine, config, steps, alerting=alerting, extra_ticks=ticks)
        daemon.audit_environment(ctx.config_path, datetime.now(UTC))
        if not args.once:
            return _run_forever(daemon, args, ctx)
        now = datetime.now(UTC)
        daemon.sync_sources(now)
        report = daemon.poll_tick(now)
        daemon.deadline_tick(now)
        for _name, tick, _every in daemon.extra_ticks:
            tick(now)
        sent = daemon.outbox_tick(now)
        daemon.audit_tick(now)  # signs and anchors the log like the running daemon (with the key)
        stored = sum(r.stored for r in report.results)
        errors = [r for r in report.results if r.outcome in ("error", "disabled")]
        print(f"{len(report.results)} sources crawled, {stored} new mentions, {sent} notifications sent")
        for result in errors:
            print(f"  {result.name}: {result.outcome}: {result.error}")
        return 0
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


BRIEFING_TICK_S = 60


def briefing_ticks(ctx: Context) -> tuple[tuple[str, Callable[[datetime], object], int], ...]:
    """The scheduled-briefing tick, when ``[[reports]]`` asks for any (monitor.reports.delivery)."""
    if not ctx.config.reports:
        return ()
    from monitor.reports import enqueue_due_briefs

    engine, config = ctx.engine, ctx.config
    return (("briefs", lambda now: enqueue_due_briefs(engine, config, now), BRIEFING_TICK_S),)


def rollup_ticks(ctx: Context) -> tuple[tuple[str, Callable[[datetime], object], int], ...]:
    """Fold new mentions into the briefing rollups (monitor.reports.rollup), at most 1M ids a tick so a
    first run over a large database does not hold the tick thread for minutes."""
    from monitor.reports.rollup import TICK_S, refresh_rollup

    engine = ctx.engine
    return (("brief-rollup", lambda now: refresh_rollup(engine, now, max_batches=20), TICK_S),)


SPIKE_TICK_S = 300


def spike_ticks(ctx: Context) -> tuple[tuple[str, Callable[[datetime], object], int], ...]:
    """Brand-level volume spikes (monitor.incidents.spikes), handed to the daemon like the briefings:
    the crawl wing does not import the incidents wing, its floor-mate."""
    if not ctx.config.alerts.spike.enabled:
        return ()
    from monitor.incidents import check_spikes

    engine, config = ctx.engine, ctx.config
    return (("spikes", lambda now: check_spikes(engine, config, now), SPIKE_TICK_S),)


def _run_forever(daemon: Daemon, args: argparse.Namespace, ctx: Context) -> int:
    metrics = start_metrics_server(ctx, args.metrics_listen)
    try:
        return _run_with_console(daemon, args, ctx)
    finally:
        if metrics is not None:
            metrics.stop()


def start_metrics_server(ctx: Context, listen: str | None) -> MetricsServer | None:
    """``--metrics-listen``: /metrics without a token on a loopback port, or None when not asked for."""
    if listen is None:
        return None
    from monitor.web.metrics_server import MetricsServer

    host, port = parse_listen(listen)
    server = MetricsServer(ctx.engine, host=host, port=port).start()
    logging.getLogger("monitor.run").info("metrics on %s", server.url, extra={"event": "metrics.listening"})
    return server


def _run_with_console(daemon: Daemon, args: argparse.Namespace, ctx: Context) -> int:
    if args.no_web:
        return daemon.run_forever()
    from monitor.web.app import create_app
    from monitor.web.background import BackgroundServer

    host, port = parse_listen(args.listen)
    web = BackgroundServer(create_app(ctx, secure_cookies=not args.insecure_cookies), host=host, port=port)
    web.start()
    logging.getLogger("monitor.run").info("web console on %s", web.url)
    try:
        return daemon.run_forever()
    finally:
        web.stop()
