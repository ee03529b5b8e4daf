"""``brandguard run``: the monitoring daemon, until SIGTERM or SIGINT (both stop it cleanly, exit 0)."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime

from monitor.context import Context
from monitor.errors import UsageError


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "run",
        parents=parents,
        help="run the monitoring daemon (crawl, score, alert) until stopped",
        description="Crawl the configured sources on their schedules, score new mentions, open incidents "
        "and send notifications. SIGTERM or Ctrl-C stop it cleanly: in-flight crawls finish or are "
        "abandoned, claims are released, exit status 0.",
    )
    p.add_argument("--once", action="store_true", help="one poll, deadline and outbox tick, then exit")
    p.add_argument("--quiet", action="store_true", help="log warnings and errors only")
    p.set_defaults(handler=_run)


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
    from monitor.crawl_steps import RealSteps, default_parse_executor
    from monitor.daemon import Daemon

    executor = default_parse_executor()
    try:
        steps = RealSteps(config, actor="daemon", parse_executor=executor).steps()
        daemon = Daemon(ctx.engine, config, steps)
        if not args.once:
            return daemon.run_forever()
        now = datetime.now(UTC)
        daemon.sync_sources(now)
        report = daemon.poll_tick(now)
        daemon.deadline_tick(now)
        sent = daemon.outbox_tick(now)
        stored = sum(r.stored for r in report.results)
        errors = [r for r in report.results if r.outcome in ("error", "disabled")]
        print(f"{len(report.results)} sources crawled, {stored} new mentions, {sent} notifications sent")
        for result in errors:
            print(f"  {result.name}: {result.outcome}: {result.error}")
        return 0
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
