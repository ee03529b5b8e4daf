"""``brandguard demo``: the whole flow offline — local feeds, the real daemon, incidents and alerts."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import TYPE_CHECKING

from monitor.context import Context

if TYPE_CHECKING:
    import logging

    from monitor.web.background import BackgroundServer


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "demo",
        parents=parents,
        help="run the daemon against a bundled demo data set on a local feed server",
        description="Start a local feed server on 127.0.0.1 with four fictitious brands and a developing "
        "crisis, and run the real daemon against it on a simulated clock: baseline, new mentions, an "
        "incident, reminders and a deadline breach. The database is <data-dir>/demo/brandguard.db "
        "(recreated on every run). Without --once it replays the story in real time, serves the web "
        "console on --listen (default 127.0.0.1:8765), and keeps running until interrupted.",
    )
    p.add_argument("--once", action="store_true", help="run the story once as fast as possible and exit")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (with --once)")
    p.add_argument(
        "--listen",
        default="127.0.0.1:8765",
        metavar="HOST:PORT",
        help="where the live demo serves the web console (default 127.0.0.1:8765; port 0 picks a free one)",
    )
    p.set_defaults(handler=_run)


def _not_a_source_event(record: logging.LogRecord) -> bool:
    return not str(getattr(record, "event", "")).startswith("source.")


def _run(args: argparse.Namespace, ctx: Context) -> int:
    import logging

    from monitor.demo.scenario import run_scenario

    # The daemon's own INFO lines would drown the story; warnings still show, except the per-crawl
    # source events (``source.failed`` / ``source.blocked``): the story tells those once, when they change.
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(_not_a_source_event)
    if args.once:
        out = sys.stdout if args.format == "text" else None
        summary = run_scenario(ctx.data_dir, out=out)
        if args.format == "json":
            print(json.dumps(summary.as_json()))
        else:
            _print_summary(summary.as_json())
        return 0
    from monitor.commands.run import parse_listen

    return _run_live(ctx, parse_listen(args.listen))


def _print_summary(figures: dict[str, int]) -> None:
    print(
        f"\n{figures['sources']} sources, {figures['mentions']} mentions ({figures['negative']} negative), "
        f"{figures['alerts']} incidents, {figures['notifications']} notifications delivered "
        "(来源 / 提及 / 负面 / 事件 / 通知)"
    )


def _run_live(ctx: Context, listen: tuple[str, int]) -> int:
    import signal

    from monitor.demo.scenario import run_scenario

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    web = _WebConsole(ctx, listen)
    summary = run_scenario(ctx.data_dir, out=sys.stdout, pace_s=2.0, stop=stop, on_ready=web.start)
    _print_summary(summary.as_json())
    if not stop.is_set():  # interrupted during the story: just stop
        where = f"web console: {web.url} — " if web.url else ""
        print(f"story complete; {where}Ctrl-C to stop (演示结束，按 Ctrl-C 退出)", flush=True)
        if web.url:
            print(
                "to sign in, add a user from another terminal: "
                f"brandguard --data-dir {ctx.data_dir / 'demo'} users add demo --role admin",
                flush=True,
            )
        stop.wait()
    web.stop()
    return 0


class _WebConsole:
    """Serves the web console on loopback for the demo database."""

    def __init__(self, ctx: Context, listen: tuple[str, int]) -> None:
        self.ctx = ctx
        self.listen = listen
        self.url: str | None = None
        self._server: BackgroundServer | None = None

    def start(self, engine: object, config: object) -> None:
        from monitor.context import Context
        from monitor.web.app import create_app
        from monitor.web.background import BackgroundServer

        demo_ctx = Context(config_path=None, data_dir=self.ctx.data_dir / "demo")
        demo_ctx._config = config  # type: ignore[assignment]
        host, port = self.listen
        server = BackgroundServer(create_app(demo_ctx, secure_cookies=False), host=host, port=port)
        server.start()
        self._server = server
        self.url = server.url
        print(f"web console: {self.url}", flush=True)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
