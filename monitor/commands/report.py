"""``brandguard report sla``: how fast incidents were answered, and which deadlines were missed.
``brandguard report brief``: the daily / weekly / monthly briefing (monitor.reports)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from monitor.context import Context


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("report", parents=parents, help="reports (SLA of negative-opinion incidents)")
    sub = p.add_subparsers(dest="report_command", metavar="REPORT", parser_class=type(p))
    sub.required = True
    sla = sub.add_parser("sla", parents=parents, help="share answered in time, time to ack/respond, breaches")
    sla.add_argument(
        "--since",
        default="30d",
        metavar="WHEN",
        help="incidents opened since: 24h, 7d, 30d, or a date (default 30d)",
    )
    sla.add_argument("--format", choices=("text", "json"), default="text")
    sla.set_defaults(handler=_sla)
    brief = sub.add_parser(
        "brief",
        parents=parents,
        help="daily/weekly/monthly briefing: volume, sentiment, share of voice, ...",
        description="A briefing over the last complete day, week (Monday-Sunday) or month in the display "
        "time zone, each figure compared with the period before.",
    )
    brief.add_argument("--period", choices=("day", "week", "month"), default="week")
    brief.add_argument(
        "--brand",
        action="append",
        default=[],
        metavar="B",
        help="brand to report on (repeatable; default: every brand not marked competitor)",
    )
    brief.add_argument(
        "--since", metavar="YYYY-MM-DD", help="the period starting on / containing this local day"
    )
    brief.add_argument("--until", metavar="YYYY-MM-DD", help="end (exclusive); with --since a custom range")
    brief.add_argument("--format", choices=("md", "html", "json", "xlsx"), default="md")
    brief.add_argument("--out", metavar="FILE", help="write here instead of stdout (required for xlsx)")
    brief.add_argument("--no-keywords", action="store_true", help="skip rising keywords (no jieba)")
    brief.set_defaults(handler=_brief)


def _brief(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from monitor.errors import UsageError
    from monitor.reports import BriefRequest, build_brief, render_brief
    from monitor.reports.periods import parse_day
    from monitor.reports.rollup import catch_up
    from monitor.storage.transactions import read_transaction

    if args.format == "xlsx" and not args.out:
        raise UsageError("--format xlsx needs --out FILE (a workbook is not for a terminal)")
    request = BriefRequest(
        period=args.period,
        brands=tuple(args.brand),
        since=parse_day(args.since, "--since") if args.since else None,
        until=parse_day(args.until, "--until") if args.until else None,
        keywords=not args.no_keywords,
    )
    catch_up(ctx.engine, datetime.now(UTC))  # a never-summarised database: build the rollup once
    with read_transaction(ctx.engine) as conn:
        brief = build_brief(
            conn, ctx.config, request, now=datetime.now(UTC), zone=ZoneInfo(ctx.config.daemon.timezone)
        )
    data = render_brief(brief, args.format)
    if args.out:
        try:
            Path(args.out).write_bytes(data)
        except OSError as exc:
            raise UsageError(f"--out: cannot write {args.out}: {exc.strerror or exc}") from None
        print(f"wrote {args.out} ({len(data)} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _minutes(value: float | None) -> str:
    if value is None:
        return "-"
    hours, minutes = divmod(round(value), 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def _sla(args: argparse.Namespace, ctx: Context) -> int:
    from zoneinfo import ZoneInfo

    from alerts.sla import sla_report
    from monitor.commands.mentions import parse_since
    from monitor.incidents.queries import sla_inputs
    from monitor.storage.transactions import read_transaction

    now = datetime.now(UTC)
    since = parse_since(args.since, now=now, tz=ZoneInfo(ctx.config.alerts.display_tz))
    with read_transaction(ctx.engine) as conn:
        report = sla_report(sla_inputs(conn, since=since), now=now)
    report["since"] = since.isoformat()
    if args.format == "json":
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    share = report["share_in_time"]
    print(
        f"SLA since {args.since}: {report['incidents']} incidents "
        f"({report['dismissed']} dismissed as false alarms)"
    )
    print(
        f"  answered in time: {report['answered_in_time']} of {report['decided']} due"
        + (f" ({share:.0%})" if share is not None else "")
    )
    ack, resp = report["ack_minutes"], report["respond_minutes"]
    print(
        f"  time to acknowledge: median {_minutes(ack['median'])}, p95 {_minutes(ack['p95'])} (n={ack['n']})"
    )
    print(
        f"  time to respond:     median {_minutes(resp['median'])}, p95 {_minutes(resp['p95'])} "
        f"(n={resp['n']})"
    )
    print(f"  breaches: {report['breaches']}")
    for label, key in (("by brand", "breaches_by_brand"), ("by severity", "breaches_by_severity")):
        if report[key]:
            print(f"    {label}: " + ", ".join(f"{k} {v}" for k, v in report[key].items()))
    return 0
