"""``brandguard serve``: the web console and HTTP API (no crawling; ``brandguard run`` does both)."""

from __future__ import annotations

import argparse
import os
import sys

from monitor.context import Context
from monitor.errors import UsageError

DEFAULT_PORT = 8080


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "serve",
        parents=parents,
        help="serve the web console and the HTTP API",
        description="Serve the web console (incidents board, mentions, draft checker, audit, reports) and "
        "the API under /api/v1 (schema at /api/v1/openapi.json). Session cookies are marked Secure, so "
        "put it behind HTTPS; for plain-http use on loopback pass --insecure-cookies. Create users first "
        "with `brandguard users add`.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--insecure-cookies",
        action="store_true",
        help="send the session cookie over plain http too (only for http://127.0.0.1 use)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes sharing the port (default 1; the number of CPU cores for heavy API use: "
        "draft checks are CPU-bound and one process runs one at a time)",
    )
    p.add_argument(
        "--metrics-listen",
        metavar="HOST:PORT",
        help="also serve /metrics without a token on this loopback address (e.g. 127.0.0.1:9464)",
    )
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be 0..65535 (got {args.port})")
    if not 1 <= args.workers <= 64:
        raise UsageError(f"--workers must be 1..64 (got {args.workers})")
    import uvicorn

    from monitor.web.accounts import list_users
    from monitor.web.app import create_app

    if not list_users(ctx.engine):  # opening the database here also migrates it before workers start
        print(
            "brandguard: notice: no users yet; add one with `brandguard users add NAME --role admin`",
            file=sys.stderr,
        )
    from monitor.commands.run import start_metrics_server

    start_metrics_server(ctx, args.metrics_listen)  # a daemon thread: it ends with the server
    if args.insecure_cookies and not _is_loopback(args.host):
        print(
            f"brandguard: warning: --insecure-cookies on {args.host}: session cookies travel unencrypted "
            "over the network; use it only on 127.0.0.1 and put HTTPS in front otherwise",
            file=sys.stderr,
        )
    scheme = "http" if args.insecure_cookies else "https (via your proxy)"
    print(f"brandguard: serving on {args.host}:{args.port} ({scheme}); Ctrl-C stops", flush=True)
    if args.workers == 1:
        app = create_app(ctx, secure_cookies=not args.insecure_cookies)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=False)
        return 0
    from monitor.web.auth import session_secret
    from monitor.web.worker_app import FACTORY, worker_environment

    session_secret(ctx.data_dir)  # created once here, so every worker signs cookies with the same key
    os.environ.update(
        worker_environment(ctx.config_path, ctx.data_dir, insecure_cookies=args.insecure_cookies)
    )
    ctx.close()  # each worker opens its own connections
    uvicorn.run(
        FACTORY,
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level="warning",
        proxy_headers=False,
    )
    return 0


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
