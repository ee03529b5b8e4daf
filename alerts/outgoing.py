"""The messages a decision puts in the outbox: rendered text, idempotency key, and the quiet-hour hold.

Pure: the edge passes the incident snapshot, the channels chosen by ``alerts.routing`` and ``now``, and
stores what comes back. A message raised inside quiet hours is stored with ``held = "quiet"`` and a
``not_before`` at the end of the window, so the delivery planner folds the night's backlog into a digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alerts.cards import card_data
from alerts.deep_link import incident_link
from alerts.message import KIND_LABELS, IncidentSnapshot, render
from alerts.oncall import Person
from alerts.quiet import QuietWindow, held_until

HELD_QUIET = "quiet"  # payload["held"]: raised in quiet hours, waits for the end of the window


@dataclass(frozen=True)
class RenderSettings:
    display_tz: str = "Asia/Shanghai"
    ack_hint: str = "brandguard alerts ack {id}"
    quiet: QuietWindow | None = None
    console_url: str = ""  # with link_key: cards carry a signed "处理" button into the console
    link_key: str | None = None
    link_ttl: timedelta = timedelta(hours=72)
    on_call: tuple[Person, ...] = ()  # who is on call now; @-mentioned on P1 and escalations


@dataclass(frozen=True)
class OutgoingMessage:
    """One outbox row to be: a rendered message for one channel, not to be sent before ``not_before``."""

    idempotency_key: str
    channel: str
    incident_id: int
    severity: str
    kind: str
    payload: dict[str, Any]
    not_before: datetime


def incident_key(channel: str, incident_id: int, event: str) -> str:
    """Idempotency key of an incident message: the same decision taken twice is one message."""
    raw = f"{channel}|incident:{incident_id}|{event}"
    # Keys stay short and fixed-length whatever the channel name; the readable part helps debugging.
    return f"inc{incident_id}-{event}-" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def digest_key(channel: str, member_ids: Sequence[int]) -> str:
    """Idempotency key of a digest: the same members folded twice (after a crash) are one digest."""
    return "digest-" + hashlib.sha256(f"{channel}|{sorted(member_ids)}".encode()).hexdigest()[:32]


MENTION_KINDS = frozenset({"escalation", "breach"})


def mentions_on_call(kind: str, severity: str) -> bool:
    """P1 messages and escalations @ the people on call; the rest do not wake anyone up."""
    return severity == "P1" or kind in MENTION_KINDS


def incident_reason(incident: IncidentSnapshot) -> str:
    """Why the incident is alarming, in one line: a brand spike's reason, else its crisis terms."""
    if incident.reason:
        return incident.reason
    return f"风险词 {'、'.join(incident.crisis_terms)}" if incident.crisis_terms else ""


def compose(
    kind: str,
    event: str,
    incident: IncidentSnapshot,
    channels: Sequence[str],
    *,
    now: datetime,
    settings: RenderSettings,
) -> list[OutgoingMessage]:
    """One message per channel for one notification of an incident (``kind``: alerts.message labels)."""
    if not channels:
        return []
    link = None
    if settings.console_url and settings.link_key:
        link = incident_link(
            settings.console_url, settings.link_key, incident.id, now=now, ttl=settings.link_ttl
        )
    payload = render(
        kind, incident, now=now, display_tz=settings.display_tz, ack_hint=link or settings.ack_hint
    )
    payload["card"] = card_data(
        kind_label=KIND_LABELS.get(kind, kind),
        incident_id=incident.id,
        brand=incident.brand,
        severity=incident.severity,
        title=incident.top_title or incident.title,
        sentiment=incident.max_p_negative,
        mention_count=incident.mention_count,
        negative_count=incident.negative_count,
        reach=incident.reach,
        respond_by=incident.respond_by,
        clock_running=incident.state in ("open", "acknowledged"),
        source_url=incident.top_url,
        open_url=link,
        people=settings.on_call if mentions_on_call(kind, incident.severity) else (),
        reason=incident_reason(incident),
    )
    hold = held_until(now, incident.severity, settings.quiet)
    if hold is not None:
        payload["held"] = HELD_QUIET
    return [
        OutgoingMessage(
            idempotency_key=incident_key(channel, incident.id, event),
            channel=channel,
            incident_id=incident.id,
            severity=incident.severity,
            kind=kind,
            payload=payload,
            not_before=hold or now,
        )
        for channel in channels
    ]
