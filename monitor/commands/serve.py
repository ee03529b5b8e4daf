"""``brandguard serve``: the web console and HTTP API (no crawling; ``brandguard run`` does both)."""

from __future__ import annotations

import argparse
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
        "--insecure-cookies", action="store_true",
        help="send the session cookie over plain http too (only for http://127.0.0.1 use)",
    )
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be 0..65535 (got {args.port})")
    import uvicorn

    from monitor.users import list_users
    from monitor.web.app import create_app

    app = create_app(ctx, secure_cookies=not args.insecure_cookies)
    if not list_users(ctx.engine):
        print("brandguard: notice: no users yet; add one with `brandguard users add NAME --role admin`",
              file=sys.stderr)
    scheme = "http" if args.insecure_cookies else "https (via your proxy)"
    print(f"brandguard: serving on {args.host}:{args.port} ({scheme}); Ctrl-C stops", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=False)
    return 0
