"""``brandguard sources list`` (health of each source); ``sources test URL`` (fetch once, store nothing)."""

from __future__ import annotations

import argparse
import json
import unicodedata
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from monitor.context import Context
from monitor.errors import FetchError, UsageError

if TYPE_CHECKING:
    from monitor.storage.sources_repo import SourceRow

KINDS = ("rss", "atom", "html", "json")


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("sources", parents=parents, help="source health; test a feed URL")
    sub = p.add_subparsers(dest="sources_command", metavar="SUBCOMMAND", parser_class=type(p))
    sub.required = True
    lst = sub.add_parser(
        "list",
        parents=parents,
        help="every source with its health: last success, errors, next check, disabled and why",
    )
    lst.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lst.set_defaults(handler=_list, read_only=True)
    test = sub.add_parser(
        "test",
        parents=parents,
        help="fetch a URL once and show the parsed and matched items (stores nothing)",
    )
    test.add_argument("url", metavar="URL")
    test.add_argument("--kind", choices=KINDS, help="feed kind (default: from the config entry, else rss)")
    test.add_argument("--limit", type=int, default=20, help="show at most this many items (default 20)")
    test.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    test.set_defaults(handler=_test)
    from monitor.commands import sources_coverage

    sources_coverage.register(sub, parents)


def health(row: SourceRow) -> str:
    from monitor.platforms.status import schedule_health

    return schedule_health(row)


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: a Chinese character takes two terminal columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    return text + " " * max(0, width - shown)


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return "-" if value is None else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _list(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.platforms.status import brand_statuses, source_statuses
    from monitor.storage.sources_repo import list_sources
    from monitor.storage.transactions import read_transaction

    tz = ZoneInfo(ctx.config.daemon.timezone)
    now = datetime.now(UTC)
    with read_transaction(ctx.engine) as conn:
        rows = list_sources(conn)
        status = source_statuses(conn, rows, now)
        brand_rows = brand_statuses(conn, rows, [b.name for b in ctx.config.brands], now)
    stored = {row.name for row in rows}
    unsynced = [s for s in ctx.config.sources if s.name not in stored]
    if args.format == "json":
        out: list[dict[str, Any]] = [
            {
                "name": r.name,
                "kind": r.kind,
                "url": r.url,
                "health": status[r.id].label,
                "state": status[r.id].state,
                "state_reason": status[r.id].reason,
                "coverage_24h": round(status[r.id].coverage_24h, 4),
                "last_success_at": r.last_success_at.isoformat() if r.last_success_at else None,
                "last_checked_at": r.last_checked_at.isoformat() if r.last_checked_at else None,
                "consecutive_errors": r.consecutive_errors,
                "last_error": r.last_error,
                "next_check_at": r.next_check_at.isoformat(),
                "disabled_at": r.disabled_at.isoformat() if r.disabled_at else None,
                "disabled_reason": r.disabled_reason,
                "fetch_count": r.fetch_count,
            }
            for r in rows
        ]
        out += [{"name": s.name, "kind": s.kind, "url": s.url, "health": "not started"} for s in unsynced]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    width = max([9, *(len(s.label) for s in status.values())])
    if not rows and not unsynced:
        print("no sources: add [[sources]] to brandguard.toml")
        return 0
    header = (
        f"{'NAME':<20} {'KIND':<5} {'HEALTH':<{width}} {'COVER 24H':>9} {'LAST SUCCESS':<17} {'ERRORS':>6}  "
        f"{'NEXT CHECK':<17}"
    )
    print(header)
    for r in rows:
        next_check = "-" if r.disabled_at else _local(r.next_check_at, tz)
        print(
            f"{_pad(r.name, 20)} {r.kind:<5} {status[r.id].label:<{width}} {status[r.id].coverage_24h:>9.0%} "
            f"{_local(r.last_success_at, tz):<17} "
            f"{r.consecutive_errors:>6}  {next_check:<17}"
        )
        if r.disabled_at is not None:
            print(f"    disabled {_local(r.disabled_at, tz)}: {r.disabled_reason}")
        elif r.last_error:
            print(f"    last error: {r.last_error}")
    for s in unsynced:
        print(
            f"{_pad(s.name, 20)} {s.kind:<5} {'new':<{width}} {'-':>9} {'-':<17} {0:>6}  "
            "(when the daemon starts)"
        )
    for b in brand_rows:
        if not b.sources:
            continue  # nothing synced yet (the daemon has not started): the rows above say so
        warn = "  NO LIVE SOURCE" if not b.live else ""
        print(f"brand {b.brand}: {b.live}/{b.sources} sources live, coverage 24h {b.coverage_24h:.0%}{warn}")
    print(f"times in {tz.key}")
    return 0


def _test(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.crawl.prepare import parse_in_worker
    from monitor.fetch import FetchPolicy, fetch
    from monitor.matching.matcher import BrandMatcher

    config = ctx.config
    configured = next((s for s in config.sources if s.url == args.url), None)
    kind = args.kind or (configured.kind if configured else "rss")
    if kind == "json" and configured is None:
        raise UsageError("a json source needs its [sources.json] mapping: add it to brandguard.toml first")
    daemon = config.daemon
    policy = FetchPolicy(
        deadline_s=daemon.fetch_deadline_s,
        max_bytes=int(daemon.max_body_mb * 1024 * 1024),
        allow_hosts=frozenset(daemon.allow_hosts),
        allow_networks=tuple(daemon.allow_networks),
        headers=configured.request_headers() if configured else {},
    )
    import asyncio  # here, not at module level: every CLI start (even `check`) imports this module

    now = datetime.now(UTC)
    from monitor.errors import ParseError
    from monitor.platforms.blocked import detect

    result = asyncio.run(fetch(args.url, policy=policy, now=now))
    if result.status in ("error", "retry_later"):
        verdict = detect(result.http_status, result.headers, result.body)
        shown = verdict.label if verdict and verdict.state != "failing" else result.error or result.status
        raise FetchError(f"{args.url}: {shown}")
    tz_name = configured.timezone if configured else daemon.timezone
    mapping = configured.json_mapping if configured else None
    selectors = configured.selectors.model_dump() if configured and configured.selectors else None
    try:
        document = parse_in_worker(
            kind, result.body or b"", result.headers, result.final_url, tz_name, mapping, now, selectors
        )
    except ParseError as exc:
        # A login wall or captcha does not parse: name it (blocked detection) rather than "not a feed".
        verdict = detect(result.http_status, result.headers, result.body)
        raise FetchError(f"{args.url}: {verdict.label if verdict else exc}") from None
    matcher = BrandMatcher(config.brands)
    items = list(document.items)
    rows = []
    for item in items:
        brands = matcher.match(item.title or "", item.text or "") if config.brands else []
        published = getattr(item, "published_at", None)
        rows.append(
            {
                "title": item.title,
                "link": item.link,
                "published": published.isoformat() if isinstance(published, datetime) else None,
                "author": item.author,
                "brands": brands,
            }
        )
    matched = sum(1 for r in rows if r["brands"])
    if args.format == "json":
        out = {
            "url": args.url,
            "http_status": result.http_status,
            "items": len(rows),
            "matched": matched,
            "selectors": selectors,
            "entries": rows[: args.limit],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(
        f"{args.url}: HTTP {result.http_status}, {len(rows)} items, {matched} matched a brand "
        f"({len(result.body or b'')} bytes, {result.elapsed_s:.2f} s); nothing stored"
    )
    if not config.brands:
        print("  (no [[brands]] configured: nothing can match)")
    if selectors:
        found = ", ".join(f"{k} = {v!r}" for k, v in selectors.items() if v)
        print(f"  selectors ({found}) found {len(rows)} posts")
    for r in rows[: args.limit]:
        mark = ", ".join(r["brands"]) if r["brands"] else "-"
        print(f"  [{mark}] {r['title'] or '(no title)'}")
        meta = " · ".join(str(v) for v in (r["author"], r["published"]) if v)
        if meta:
            print(f"      {meta}")
        if r["link"]:
            print(f"      {r['link']}")
    return 0
