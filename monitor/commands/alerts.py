"""``brandguard alerts``: list, show and answer incidents (ack, respond, resolve, dismiss); channel health."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.context import Context


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("alerts", parents=parents, help="list and answer negative-opinion incidents")
    sub = p.add_subparsers(dest="alerts_command", metavar="SUBCOMMAND", parser_class=type(p))
    sub.required = True

    lst = sub.add_parser("list", parents=parents, help="list incidents, newest first")
    lst.add_argument("--open", action="store_true", help="only open, acknowledged or responded incidents")
    lst.add_argument("--breached", action="store_true", help="only incidents that missed their deadline")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    lst.set_defaults(handler=_list, read_only=True)

    show = sub.add_parser("show", parents=parents, help="one incident with its mentions and timeline")
    show.add_argument("id", type=_incident_id)
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(handler=_show, read_only=True)

    ack = sub.add_parser("ack", parents=parents, help="acknowledge: I am on it")
    ack.add_argument("id", type=_incident_id)
    ack.set_defaults(handler=_action, action="acknowledge")

    respond = sub.add_parser("respond", parents=parents, help="record the published response")
    respond.add_argument("id", type=_incident_id)
    group = respond.add_argument_group("response (at least one)")
    group.add_argument("--text", help="the response text as published")
    group.add_argument("--url", help="link to the published response")
    respond.set_defaults(handler=_action, action="respond")

    resolve = sub.add_parser("resolve", parents=parents, help="close the incident")
    resolve.add_argument("id", type=_incident_id)
    resolve.set_defaults(handler=_action, action="resolve")

    dismiss = sub.add_parser(
        "dismiss", parents=parents, help="close as a false alarm (kept as model feedback)"
    )
    dismiss.add_argument("id", type=_incident_id)
    dismiss.add_argument("--reason", required=True, help="why this is not a real incident")
    dismiss.set_defaults(handler=_action, action="dismiss")

    feedback = sub.add_parser(
        "feedback", parents=parents, help="dismissed false alarms as JSONL, labelled feedback for the model"
    )
    feedback.set_defaults(handler=_feedback)

    channels = sub.add_parser("channels", parents=parents, help="notification channels and their health")
    channels.add_argument(
        "--enable", metavar="NAME", help="re-enable a channel disabled by a permanent error"
    )
    channels.set_defaults(handler=_channels, read_only=True)

    from monitor.commands.alerts_ops import register_ops

    register_ops(sub, parents, _incident_id)


def _incident_id(value: str) -> int:
    try:
        number = int(value.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"incident id must be a number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("incident id must be positive")
    return number


def _now() -> datetime:
    return datetime.now(UTC)


def _tz(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.config.alerts.display_tz)


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "-"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _list(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.incidents import list_incidents
    from monitor.storage.transactions import read_transaction

    with read_transaction(ctx.engine) as conn:
        rows = list_incidents(conn, open_only=args.open, breached_only=args.breached)
    if args.format == "json":
        json.dump([_jsonable(r) for r in rows], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print("no incidents")
        return 0
    tz, now = _tz(ctx), _now()
    from alerts.deadline import format_time_left

    for r in rows:
        clock = (
            format_time_left(r["respond_by"] - now) if r["state"] in ("open", "acknowledged") else r["state"]
        )
        breached = " BREACHED" if r["breached_at"] else ""
        breached += f"  owner {r['owner']}" if r.get("owner") else ""
        print(
            f"#{r['id']:<5} {r['severity']} {r['state']:<12} {r['brand']}  "
            f"opened {_local(r['opened_at'], tz)}  due {_local(r['respond_by'], tz)} ({clock}){breached}  "
            f"{r['mention_count']} mentions, reach {r['reach']:,}  {r['title'][:60]}"
        )
    return 0


def _show(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.incidents import get_incident
    from monitor.storage.transactions import read_transaction

    with read_transaction(ctx.engine) as conn:
        inc = get_incident(conn, args.id)
    if args.format == "json":
        json.dump(_jsonable(inc), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    tz = _tz(ctx)
    print(f"incident #{inc['id']}  {inc['severity']}  {inc['state']}  brand {inc['brand']}")
    print(f"  {inc['title']}")
    print(
        f"  opened {_local(inc['opened_at'], tz)}, respond by {_local(inc['respond_by'], tz)}"
        + (f", BREACHED {_local(inc['breached_at'], tz)}" if inc["breached_at"] else "")
    )
    print(
        f"  mentions {inc['mention_count']} (negative {inc['negative_count']}), reach {inc['reach']:,}, "
        f"max p_negative {inc['max_p_negative']:.2f}, crisis terms {', '.join(inc['crisis_terms']) or '-'}"
    )
    for label, key_at, key_by in (
        ("acknowledged", "acknowledged_at", "acknowledged_by"),
        ("responded", "responded_at", "responded_by"),
        ("resolved", "resolved_at", "resolved_by"),
        ("dismissed", "dismissed_at", "dismissed_by"),
    ):
        if inc[key_at]:
            print(f"  {label} {_local(inc[key_at], tz)} by {inc[key_by]}")
    if inc.get("owner") or inc.get("merged_into") or inc.get("reason"):
        extra = [
            f"owner {inc['owner']}" if inc.get("owner") else "",
            f"merged into #{inc['merged_into']}" if inc.get("merged_into") else "",
            inc.get("reason") or "",
        ]
        print("  " + "; ".join(e for e in extra if e))
    if inc["response_text"] or inc["response_url"]:
        print(f"  response: {inc['response_url'] or ''} {inc['response_text'] or ''}".rstrip())
    if inc["dismiss_reason"]:
        print(f"  dismissed because: {inc['dismiss_reason']}")
    print("mentions:")
    for m in inc["mentions"][:20]:
        print(
            f"  [{m['id']}] {_local(m['published_at'], tz)} p={m['p_negative'] or 0:.2f} "
            f"{(m['title'] or '')[:60]} {m['url'] or ''}"
        )
    print("timeline:")
    for t in inc["timeline"]:
        print(f"  {_local(t['at'], tz)}  {t['type']:<7} {t['what']}  {t['detail']}")
    return 0


def _action(args: argparse.Namespace, ctx: Context) -> int:
    from monitor import incidents

    now = _now()
    if args.action == "acknowledge":
        row = incidents.acknowledge(ctx.engine, args.id, actor=ctx.actor, now=now)
    elif args.action == "respond":
        row = incidents.respond(ctx.engine, args.id, actor=ctx.actor, now=now, text=args.text, url=args.url)
    elif args.action == "resolve":
        row = incidents.resolve(ctx.engine, args.id, actor=ctx.actor, now=now)
    else:
        row = incidents.dismiss(ctx.engine, args.id, actor=ctx.actor, now=now, reason=args.reason)
    from monitor.storage.times import as_utc_required

    deadline = as_utc_required(row["respond_by"])
    timing = "in time" if now <= deadline else "after the deadline"
    print(f"incident #{row['id']} is now {row['state']} ({timing}; deadline {_local(deadline, _tz(ctx))})")
    return 0


def _channels(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.incidents import channel_status, enable_channel
    from monitor.storage.times import as_utc_required
    from monitor.storage.transactions import read_transaction

    if args.enable:
        if args.enable not in {c.name for c in ctx.config.channels}:
            from alerts.errors import AlertsError

            raise AlertsError(f"unknown channel {args.enable!r}")
        changed = enable_channel(ctx.engine, args.enable, actor=ctx.actor, now=_now())
        print(f"channel {args.enable} " + ("re-enabled" if changed else "was not disabled"))
        return 0
    with read_transaction(ctx.engine) as conn:
        states = {s["name"]: s for s in channel_status(conn)}
    tz = _tz(ctx)
    if not ctx.config.channels:
        print("no channels configured ([[channels]] in brandguard.toml)")
    for c in ctx.config.channels:
        s = states.get(c.name)
        status = "ok"
        if s and s["disabled_at"]:
            status = f"DISABLED since {_local(s['disabled_at'], tz)}: {s['disabled_reason']}"
        elif s and _failing(s):
            # The last attempt failed (an HTTP 200 without the platform's success code included).
            status = f"FAILING since {_local(as_utc_required(s['last_fail_at']), tz)}: {s['last_error']}"
        counts = f"sent {(s or {}).get('ok_count') or 0}, failed {(s or {}).get('fail_count') or 0}"
        print(f"{c.name:<20} {c.kind:<9} {c.rate_per_minute}/min  {counts}  {status}")
    return 0


def _failing(state: dict[str, object]) -> bool:
    from monitor.storage.times import as_utc

    failed, ok = as_utc(state.get("last_fail_at")), as_utc(state.get("last_ok_at"))  # type: ignore[arg-type]
    return failed is not None and (ok is None or failed > ok)


def _feedback(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.incidents import dismissed_feedback
    from monitor.storage.transactions import read_transaction

    with read_transaction(ctx.engine) as conn:
        rows = dismissed_feedback(conn)
    for row in rows:
        # A dismissed incident says "this alert was wrong", not "this text is positive": the label is
        # the reviewer's verdict on the alert, the reason says why.
        record = {
            "mention_id": row["id"],
            "incident_id": row["incident_id"],
            "brand": row["brand"],
            "text": row["title"] or row["text"],
            "p_negative": row["p_negative"],
            "verdict": "false_alarm",
            "reason": row["dismiss_reason"],
        }
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0
