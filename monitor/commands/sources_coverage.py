"""``brandguard sources coverage``: each brand's coverage hour by hour, and its blind windows."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.commands.argtypes import positive_int
from monitor.context import Context
from monitor.errors import UsageError


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cov = sub.add_parser(
        "coverage",
        parents=parents,
        help="each brand's coverage hour by hour (share of its sources watched) and its blind windows",
    )
    cov.add_argument("--brand", help="only this brand (default: every configured brand)")
    cov.add_argument("--hours", type=positive_int, default=24, help="how far back (default 24)")
    cov.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    cov.set_defaults(handler=_coverage)


def _coverage(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.platforms.status import brand_blind_windows, brand_hourly
    from monitor.storage.sources_repo import list_sources
    from monitor.storage.transactions import read_transaction

    brands = [b.name for b in ctx.config.brands]
    if args.brand is not None:
        if args.brand not in brands:
            known = ", ".join(brands) or "no brands"
            raise UsageError(f"--brand: {args.brand!r} is not configured ({known})")
        brands = [args.brand]
    tz = ZoneInfo(ctx.config.daemon.timezone)
    now = datetime.now(UTC)
    start = now - timedelta(hours=args.hours)
    out = []
    with read_transaction(ctx.engine) as conn:
        rows = list_sources(conn)
        for brand in brands:
            hours = brand_hourly(conn, rows, brand, start, now)
            blind = brand_blind_windows(conn, brand, start, now)
            out.append((brand, hours, blind))
    if args.format == "json":
        doc = [
            {
                "brand": brand,
                "hours": [{"start": h.start.isoformat(), "covered": round(h.share, 4)} for h in hours],
                "blind": [
                    {"label": label, "start": s.isoformat(), "end": e.isoformat() if e else None}
                    for label, s, e in blind
                ],
            }
            for brand, hours, blind in out
        ]
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    for brand, hours, blind in out:
        print(f"{brand}:")
        if not hours or (all(h.share == 0 for h in hours) and not blind):
            print("  no source watched it in this period")
            continue
        for h in hours:
            bar = "#" * round(h.share * 20)
            print(f"  {h.start.astimezone(tz):%m-%d %H:00}  {h.share:>4.0%}  {bar}")
        for label, s, e in blind:
            end = f"{e.astimezone(tz):%H:%M}" if e else "至今"
            print(f"  {label} 未覆盖 {s.astimezone(tz):%m-%d %H:%M}–{end}")
    print(f"times in {tz.key}")
    return 0
