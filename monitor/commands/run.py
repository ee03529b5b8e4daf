"""``brandguard run``: the monitoring daemon, until SIGTERM or SIGINT (both stop it cleanly, exit 0)."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from monitor.context import Context
from monitor.errors import UsageError

if TYPE_CHECKING:
    from monitor.crawl.daemon import Daemon


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
        "--listen", default="127.0.0.1:8080", metavar="HOST:PORT",
        help="serve the web console and API here while running (default 127.0.0.1:8080)",
    )
    p.add_argument("--no-web", action="store_true", help="do not serve the web console")
    p.add_argument(
        "--insecure-cookies", action="store_true",
        help="send the console's session cookie over plain http (only for http://127.0.0.1 use)",
    )
    p.set_defaults(handler=_run)


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"--listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got {value!r})")
    return host.strip("[]"), int(port)


def configure_logging(quiet: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    config = ctx.config
    if not config.sources:
        raise UsageError("no sources configured: add [[sources]] to brandguard.toml (see `brandguard init`)")
    configure_logging(args.quiet)
    from monitor.crawl.daemon import AlertTicks, Daemon
    from monitor.crawl.steps import RealSteps, default_parse_executor
    from monitor.incidents import process_pending_mentions, tick_deadlines
    from monitor.incidents.outbox import deliver_due

    executor = default_parse_executor()
    try:
        steps = RealSteps(config, actor="daemon", parse_executor=executor).steps()
        alerting = AlertTicks(policy=process_pending_mentions, deadlines=tick_deadlines, outbox=deliver_due)
        daemon = Daemon(ctx.engine, config, steps, alerting=alerting)
        daemon.audit_environment(ctx.config_path, datetime.now(UTC))
        if not args.once:
            return _run_forever(daemon, args, ctx)
        now = datetime.now(UTC)
        daemon.sync_sources(now)
        report = daemon.poll_tick(now)
        daemon.deadline_tick(now)
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


def _run_forever(daemon: Daemon, args: argparse.Namespace, ctx: Context) -> int:
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
