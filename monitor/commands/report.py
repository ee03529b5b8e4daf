"""``brandguard report sla``: how fast incidents were answered, and which deadlines were missed."""

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
