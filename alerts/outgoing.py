"""The messages a decision puts in the outbox: rendered text, idempotency key, and the quiet-hour hold.

Pure: the edge passes the incident snapshot, the channels chosen by ``alerts.routing`` and ``now``, and
stores what comes back. A message raised inside quiet hours is stored with ``held = "quiet"`` and a
``not_before`` at the end of the window, so the delivery planner folds the night's backlog into a digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alerts.message import IncidentSnapshot, render
from alerts.quiet import QuietWindow, held_until

HELD_QUIET = "quiet"  # payload["held"]: raised in quiet hours, waits for the end of the window


@dataclass(frozen=True)
class RenderSettings:
    display_tz: str = "Asia/Shanghai"
    ack_hint: str = "brandguard alerts ack {id}"
    quiet: QuietWindow | None = None


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
    payload = render(kind, incident, now=now, display_tz=settings.display_tz, ack_hint=settings.ack_hint)
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
