"""Delivery planning for one channel: what to send now, what to hold until when, what to fold into digests.

Pure: the outbox edge passes the rows it claimed for the channel, the channel's recent send times and its
per-minute limit, and ``now``; it then creates the digests, sends, and releases what is held. Rules:

* messages held through quiet hours (more than one) are folded into one digest, sent when the window ends;
* the most severe messages go first (P1 before P2 before P3, then oldest first);
* no more than the channel's budget goes out per sliding minute; when the claimed rows do not fit, the
  most severe go as single messages and the overflow is folded into one digest, so a storm costs one
  message of the budget rather than silence until the window frees up;
* with no budget at all, everything waits until the window has room;
* except urgent messages (P1, escalations, breaches): they are never held behind the budget and go
  first; their sends count against the budget of the others. ``urgent_reserve`` (default 0) lets the
  others leave some sends of every minute free, so a P1 also finds room under the platform's own limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts import ratelimit
from alerts.severity import rank

RATE_LIMIT_RETRY = timedelta(minutes=1)  # what did not fit this minute's budget is tried again then


@dataclass(frozen=True)
class Queued:
    """A claimed outbox row as the planner sees it."""

    id: int
    severity: str | None  # None for digests, which count as P3 for ordering
    held_quiet: bool = False
    urgent: bool = False  # P1 or an escalation/breach: jumps the queue and the budget


@dataclass(frozen=True)
class Digest:
    """Rows to fold into one digest message, in the order they are listed in it."""

    members: tuple[int, ...]
    severity: str  # the most severe member's


Item = int | Digest  # an outbox row id, or a digest still to be created


@dataclass(frozen=True)
class DeliveryPlan:
    digests: tuple[Digest, ...]  # create these first (members become ``merged``)
    send: tuple[Item, ...]  # in this order
    hold: tuple[Item, ...]  # release with next_attempt_at = hold_until
    hold_until: datetime


def _order(row: Queued) -> tuple[int, int]:
    return rank(row.severity or "P3"), row.id


def _digest(rows: Sequence[Queued]) -> Digest:
    return Digest(tuple(r.id for r in rows), min((r.severity or "P3" for r in rows), key=rank))


URGENT_KINDS = frozenset({"escalation", "breach"})


def is_urgent(severity: str | None, kind: str) -> bool:
    return severity == "P1" or kind in URGENT_KINDS


def plan_delivery(
    rows: Sequence[Queued],
    *,
    sent_window: Sequence[datetime],
    per_minute: int,
    now: datetime,
    urgent_reserve: int = 0,
) -> DeliveryPlan:
    """The plan for one channel's claimed ``rows`` (ordered by id) given its sliding-minute window."""
    urgent = sorted((r for r in rows if r.urgent), key=_order)
    if urgent:
        rest = plan_delivery(
            [r for r in rows if not r.urgent],
            sent_window=[*sent_window, *([now] * len(urgent))],
            per_minute=per_minute,
            now=now,
            urgent_reserve=urgent_reserve,
        )
        return DeliveryPlan(rest.digests, (*(r.id for r in urgent), *rest.send), rest.hold, rest.hold_until)
    reserve = min(urgent_reserve, max(0, per_minute - 1))  # a 1/min channel still sends something
    budget = ratelimit.budget(sent_window, now, per_minute - reserve)
    held = [r for r in rows if r.held_quiet]
    singles = sorted((r for r in rows if not r.held_quiet), key=_order)
    digests: list[Digest] = []
    if len(held) > 1:
        digests.append(_digest(held))
    else:
        # One message held overnight is just a message: no digest for a single item.
        singles = sorted(held + singles, key=_order)
    if budget <= 0:
        waiting: tuple[Item, ...] = (*digests, *(r.id for r in singles))
        free_at = ratelimit.next_free_at(sent_window, now, per_minute - reserve)
        return DeliveryPlan(tuple(digests), (), waiting, free_at)
    room = budget - len(digests)
    if len(singles) > room:
        # Keep the most severe as single messages, fold the rest into one digest.
        keep = max(0, room - 1)
        digests.append(_digest(singles[keep:]))
        singles = singles[:keep]
    queue: list[Item] = [*(r.id for r in singles), *digests]
    # Two digests (quiet backlog + overflow) can exceed a budget of one; the rest waits a minute.
    return DeliveryPlan(tuple(digests), tuple(queue[:budget]), tuple(queue[budget:]), now + RATE_LIMIT_RETRY)
