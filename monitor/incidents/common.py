"""Shared pieces of the incident integration: audit append, routing, snapshots and enqueueing.

The alert cores in ``alerts`` are pure; this module is the database edge they are wired through.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, RowMapping

from alerts.message import IncidentSnapshot, render
from alerts.quiet import quiet_until
from monitor.storage.schema import incidents, mentions, outbox
from monitor.storage.times import as_utc_required, to_db

if TYPE_CHECKING:
    from monitor.config import Config

SYSTEM_ACTOR = "brandguard"


def audit(
    conn: Connection, *, actor: str, kind: str, subject: str, data: Mapping[str, Any], now: datetime
) -> None:
    """Append to the compliance log inside the caller's transaction."""
    from monitor.audit import append

    append(conn, actor=actor, kind=kind, subject=subject, data=dict(data), now=now)


def route_channels(config: Config, brand: str, severity: str) -> list[str]:
    names: list[str] = []
    for route in config.routes:
        if route.matches(brand, severity):
            names.extend(n for n in route.channels if n not in names)
    return names


def escalation_channels(config: Config, brand: str, severity: str) -> list[str]:
    names: list[str] = []
    for route in config.routes:
        if route.matches(brand, severity):
            names.extend(n for n in route.escalate_to if n not in names)
    return names


TopMention = tuple[str, "str | None"]  # (title, url)


def top_mentions(conn: Connection, ids: Iterable[int | None]) -> dict[int, TopMention]:
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, TopMention] = {}
    for start in range(0, len(wanted), 900):  # stay under SQLite's bound-parameter limit
        rows = conn.execute(
            select(mentions.c.id, mentions.c.title, mentions.c.text, mentions.c.url).where(
                mentions.c.id.in_(wanted[start : start + 900])
            )
        )
        for row in rows:
            found[row.id] = ((row.title or row.text or "")[:80], row.url)
    return found


def snapshot(
    conn: Connection, row: RowMapping | Mapping[str, Any], *, tops: Mapping[int, TopMention] | None = None
) -> IncidentSnapshot:
    top_id = row["top_mention_id"]
    if tops is None:
        tops = top_mentions(conn, [top_id])
    top_title, top_url = tops.get(top_id, ("", None)) if top_id is not None else ("", None)
    return IncidentSnapshot(
        id=row["id"],
        brand=row["brand"],
        severity=row["severity"],
        title=row["title"] or "",
        mention_count=row["mention_count"],
        negative_count=row["negative_count"],
        reach=row["reach"],
        respond_by=as_utc_required(row["respond_by"]),
        crisis_terms=tuple(row["crisis_terms"] or ()),
        top_title=top_title,
        top_url=top_url,
    )


def idempotency_key(channel: str, incident_id: int, event: str) -> str:
    raw = f"{channel}|incident:{incident_id}|{event}"
    # Keys stay short and fixed-length whatever the channel name; the readable part helps debugging.
    return f"inc{incident_id}-{event}-" + hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Notice:
    """One decided notification of an incident to a set of channels."""

    channels: Sequence[str]
    incident: RowMapping | Mapping[str, Any]
    kind: str  # message kind: opened | upgraded | reminder | escalation | breach
    event: str  # what makes it unique per incident, part of the idempotency key


def enqueue_many(
    conn: Connection,
    config: Config,
    notices: Sequence[Notice],
    *,
    now: datetime,
    tops: Mapping[int, TopMention] | None = None,
) -> int:
    """Write one outbox row per (notice, channel): the durable decision to notify. Returns rows written.

    An existing idempotency key is left alone: the same decision taken twice is one message.
    """
    notices = [n for n in notices if n.channels]
    if not notices:
        return 0
    if tops is None:
        tops = top_mentions(conn, [n.incident["top_mention_id"] for n in notices])
    quiet = config.alerts.quiet_window()
    rows: list[dict[str, Any]] = []
    for notice in notices:
        incident = notice.incident
        message = render(
            notice.kind,
            snapshot(conn, incident, tops=tops),
            now=now,
            display_tz=config.alerts.display_tz,
            ack_hint=config.alerts.ack_hint,
        )
        held_until = None
        if quiet is not None:
            quiet_start, quiet_end, tz, severities = quiet
            held_until = quiet_until(
                now,
                start=quiet_start,
                end=quiet_end,
                tz=tz,
                severity=incident["severity"],
                severities=severities,
            )
        if held_until is not None:
            message["held"] = "quiet"
        for channel in notice.channels:
            rows.append(
                {
                    "idempotency_key": idempotency_key(channel, incident["id"], notice.event),
                    "channel": channel,
                    "incident_id": incident["id"],
                    "severity": incident["severity"],
                    "kind": notice.kind,
                    "payload": message,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": to_db(held_until or now),
                    "created_at": to_db(now),
                }
            )
    existing: set[str] = set()
    keys = [r["idempotency_key"] for r in rows]
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        existing.update(
            conn.execute(
                select(outbox.c.idempotency_key).where(outbox.c.idempotency_key.in_(chunk))
            ).scalars()
        )
    fresh = [r for r in rows if r["idempotency_key"] not in existing]
    if fresh:
        conn.execute(insert(outbox), fresh)
    return len(fresh)


def enqueue(
    conn: Connection,
    config: Config,
    *,
    channels: Iterable[str],
    incident: RowMapping | Mapping[str, Any],
    kind: str,
    event: str,
    now: datetime,
) -> int:
    """One notice; see ``enqueue_many``."""
    return enqueue_many(conn, config, [Notice(list(channels), incident, kind, event)], now=now)


def load_incident(conn: Connection, incident_id: int, *, for_update: bool = False) -> RowMapping | None:
    query = select(incidents).where(incidents.c.id == incident_id)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).mappings().first()
