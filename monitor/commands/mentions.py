"""``brandguard mentions list``: stored mentions, newest first, times in the display time zone."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from monitor.commands.argtypes import positive_int
from monitor.context import Context
from monitor.errors import UsageError

if TYPE_CHECKING:
    from monitor.storage.mentions_repo import MentionRow

_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("mentions", parents=parents, help="list stored brand mentions")
    sub = p.add_subparsers(dest="mentions_command", metavar="SUBCOMMAND", parser_class=type(p))
    sub.required = True
    lst = sub.add_parser(
        "list",
        parents=parents,
        help="list mentions, newest first",
        description="List stored mentions, newest first. Times are shown in the configured time zone "
        "(daemon.timezone, default Asia/Shanghai).",
    )
    lst.add_argument("--brand", help="only this brand (as named in brandguard.toml)")
    lst.add_argument(
        "--since",
        metavar="WHEN",
        help="only mentions published since: 30m, 24h, 7d, 2w, a date (2026-11-20, midnight local) "
        "or a date-time (2026-11-20T08:00, local unless it has an offset)",
    )
    lst.add_argument("--negative", action="store_true", help="only mentions labelled negative")
    lst.add_argument("--limit", type=positive_int, default=100, help="at most this many (default 100)")
    lst.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lst.set_defaults(handler=_list)
    exp = sub.add_parser(
        "export",
        parents=parents,
        help="export mentions to CSV (UTF-8 with BOM) or XLSX",
        description="Export mentions with the console's filters, newest first, times in the display zone.",
    )
    exp.add_argument("--brand", help="only this brand")
    exp.add_argument("--source", help="only this source (by name)")
    exp.add_argument("--label", choices=("negative", "neutral", "positive"), help="only this sentiment")
    exp.add_argument("--since", metavar="WHEN", help="as for `mentions list` (30m, 24h, 7d, a date ...)")
    exp.add_argument("--until", metavar="WHEN", help="end (exclusive), same forms as --since")
    exp.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    exp.add_argument("--out", metavar="FILE", required=True, help="file to write")
    exp.set_defaults(handler=_export)
    from monitor.commands import mentions_import

    mentions_import.register(sub, parents)


def parse_since(value: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """UTC start time from ``24h`` / ``7d`` (relative to ``now``), a local date, or a date-time."""
    text = value.strip()
    relative = _RELATIVE.match(text)
    if relative:
        return now - timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--since: expected 30m, 24h, 7d, 2w, YYYY-MM-DD or YYYY-MM-DDTHH:MM (got {value!r})"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _list(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.storage.mentions_repo import list_mentions
    from monitor.storage.transactions import read_transaction

    tz = ZoneInfo(ctx.config.daemon.timezone)
    now = datetime.now(UTC)
    since = parse_since(args.since, now=now, tz=tz) if args.since else None
    with read_transaction(ctx.engine) as conn:
        rows = list_mentions(
            conn, brand=args.brand, since=since, negative_only=args.negative, limit=args.limit
        )
    if args.format == "json":
        json.dump({"mentions": [mention_json(r, tz) for r in rows]}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_text(rows, tz)
    return 0


def _export(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from monitor.reports import export_mentions
    from monitor.reports.mention_export import MAX_ROWS
    from monitor.storage.brief_repo import source_names
    from monitor.storage.mentions_repo import list_mentions
    from monitor.storage.transactions import read_transaction

    tz = ZoneInfo(ctx.config.daemon.timezone)
    now = datetime.now(UTC)
    since = parse_since(args.since, now=now, tz=tz) if args.since else None
    until = parse_since(args.until, now=now, tz=tz) if args.until else None
    with read_transaction(ctx.engine) as conn:
        names = source_names(conn)
        source_id = next((i for i, n in names.items() if n == args.source), None) if args.source else None
        if args.source and source_id is None:
            raise UsageError(f"--source: unknown source {args.source!r}")
        rows = list_mentions(
            conn,
            brand=args.brand,
            since=since,
            until=until,
            label=args.label,
            source_id=source_id,
            limit=MAX_ROWS,
        )
    data = export_mentions(rows, names, tz, args.format)
    try:
        Path(args.out).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"--out: cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"wrote {len(rows)} mention(s) to {args.out}", file=sys.stderr)
    return 0


def mention_json(row: MentionRow, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": row.id,
        "brand": row.brand,
        "published_at": row.published_at.astimezone(tz).isoformat(timespec="seconds"),
        "published_estimated": row.published_estimated,
        "title": row.title,
        "text": row.text,
        "url": row.url,
        "author": row.author,
        "source_id": row.source_id,
        "label": row.label,
        "p_negative": row.p_negative,
        "risk_terms": list(row.risk_terms),
        "followers": row.followers,
        "likes": row.likes,
        "reposts": row.reposts,
        "story_key": row.story_key,
        "incident_id": row.incident_id,
    }


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _print_text(rows: list[MentionRow], tz: ZoneInfo) -> None:
    if not rows:
        print("no mentions")
        return
    for row in rows:
        when = row.published_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        if row.published_estimated:
            when += "~"  # the source gave no date; the fetch time stands in
        label = row.label or "-"
        score = f"{row.p_negative:.2f}" if row.p_negative is not None else "  - "
        title = _one_line(row.title or row.text, 60)
        print(f"{when}  #{row.id:<5} {row.brand}  {label:<8} {score}  {title}")
        if row.url:
            print(f"{'':18}{row.url}")
    print(f"{len(rows)} mention(s); times in {tz.key}")
