"""``brandguard alerts assign | note | merge | split | oncall``: running incidents as a team.

Registered by ``monitor.commands.alerts`` under its ``alerts`` command (not a top-level command).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from monitor.context import Context


def register_ops(
    sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser], incident_id: object
) -> None:
    assign = sub.add_parser("assign", parents=parents, help="set who runs the incident (--clear: nobody)")
    assign.add_argument("id", type=incident_id)
    assign.add_argument("owner", nargs="?", help="the owner's name (as in the console)")
    assign.add_argument("--clear", action="store_true", help="remove the owner")
    assign.set_defaults(handler=_assign)

    note = sub.add_parser("note", parents=parents, help="add an internal note to the incident's timeline")
    note.add_argument("id", type=incident_id)
    note.add_argument("text", help="the note (never sent to the bots)")
    note.set_defaults(handler=_note)

    merge = sub.add_parser(
        "merge", parents=parents, help="merge a duplicate into another incident (not a false alarm)"
    )
    merge.add_argument("id", type=incident_id, help="the duplicate")
    merge.add_argument("--into", type=incident_id, required=True, help="the incident that stays")
    merge.set_defaults(handler=_merge)

    split = sub.add_parser(
        "split", parents=parents, help="move mentions of another story into a new incident"
    )
    split.add_argument("id", type=incident_id)
    split.add_argument("--mentions", required=True, type=_id_list, help="mention ids, comma-separated")
    split.set_defaults(handler=_split)

    oncall = sub.add_parser("oncall", parents=parents, help="who is on call now ([[alerts.oncall]] rota)")
    oncall.set_defaults(handler=_oncall)


def _id_list(value: str) -> list[int]:
    try:
        ids = [int(part.strip().lstrip("#")) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated mention ids, got {value!r}") from None
    if not ids or min(ids) < 1:
        raise argparse.ArgumentTypeError("expected positive mention ids")
    return ids


def _now() -> datetime:
    return datetime.now(UTC)


def _assign(args: argparse.Namespace, ctx: Context) -> int:
    from alerts.errors import AlertsError
    from monitor.incidents.ops import assign

    if not args.clear and not args.owner:
        raise AlertsError("name the owner, or pass --clear")
    row = assign(ctx.engine, args.id, None if args.clear else args.owner, actor=ctx.actor, now=_now())
    print(f"incident #{row['id']} owner: {row['owner'] or '(nobody)'}")
    return 0


def _note(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.incidents.ops import add_note

    note_id = add_note(ctx.engine, args.id, args.text, actor=ctx.actor, now=_now())
    print(f"note {note_id} added to incident #{args.id}")
    return 0


def _merge(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.incidents.ops import merge

    row = merge(ctx.engine, ctx.config, args.id, into=args.into, actor=ctx.actor, now=_now())
    print(
        f"incident #{args.id} merged into #{row['id']} ({row['mention_count']} mentions, {row['severity']})"
    )
    return 0


def _split(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.incidents.ops import split

    row = split(ctx.engine, ctx.config, args.id, args.mentions, actor=ctx.actor, now=_now())
    print(f"new incident #{row['id']} with {len(args.mentions)} mention(s) split from #{args.id}")
    return 0


def _oncall(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.incidents.card_settings import on_call_now

    people = on_call_now(ctx.config, _now())
    if not ctx.config.alerts.oncall:
        print("no on-call rota configured ([[alerts.oncall]] in brandguard.toml)")
    elif not people:
        print("nobody is on call right now")
    for person in people:
        ids = ", ".join(f"{k}={v}" for k, v in person.user_ids.items())
        print(f"{person.name}  {person.mobile or ''}  {ids}".rstrip())
    return 0
