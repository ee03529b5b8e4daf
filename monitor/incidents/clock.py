"""The deadline tick: fire due reminders, escalations and breaches exactly once, surviving restarts.

Exactly once: events are marked fired by a conditional update on ``fired_at IS NULL`` with
``RETURNING``; only the ids this tick changed get a message, so two daemons ticking at once (or a
re-run after a crash) cannot both notify. The fired marks, outbox rows, breach stamps and audit entries
of a chunk commit together. After downtime ``alerts.deadline.plan_tick`` sends only the latest overdue
reminder and marks older ones skipped, so a restart produces no burst of stale reminders.

Work is done in bulk per chunk of incidents: a tick over thousands of due incidents is a handful of
statements per chunk rather than several per event.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping

from alerts.deadline import BREACH, ESCALATION, PendingEvent, is_reminder, plan_events, plan_tick
from monitor.incidents.common import (
    SYSTEM_ACTOR,
    Notice,
    audit,
    enqueue_many,
    escalation_channels,
    route_channels,
)
from monitor.storage.schema import deadline_events, incidents
from monitor.storage.times import as_utc_required, to_db

if TYPE_CHECKING:
    from monitor.config import Config

CHUNK = 500  # incidents per transaction: short write locks, few commits for a big backlog


def tick_deadlines(engine: Engine, config: Config, now: datetime) -> int:
    """Fire every clock event due at ``now``; returns the number of events that sent a message."""
    with engine.connect() as conn:
        due = conn.execute(
            select(
                deadline_events.c.id,
                deadline_events.c.incident_id,
                deadline_events.c.kind,
                deadline_events.c.due_at,
            )
            .where(deadline_events.c.fired_at.is_(None), deadline_events.c.due_at <= to_db(now))
            .order_by(deadline_events.c.incident_id, deadline_events.c.due_at)
        ).all()
    by_incident: dict[int, list[PendingEvent]] = defaultdict(list)
    for row in due:
        by_incident[row.incident_id].append(PendingEvent(row.id, row.kind, as_utc_required(row.due_at)))
    ids = list(by_incident)
    sent = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with engine.begin() as conn:
            sent += _fire_chunk(conn, config, chunk, by_incident, now)
    return sent


def _fire_chunk(
    conn: Connection, config: Config, chunk: list[int], events: dict[int, list[PendingEvent]], now: datetime
) -> int:
    rows = {r["id"]: r for r in conn.execute(select(incidents).where(incidents.c.id.in_(chunk))).mappings()}
    send_ids: list[int] = []
    skip_ids: list[int] = []
    owner: dict[int, tuple[int, str]] = {}
    for incident_id in chunk:
        row = rows.get(incident_id)
        if row is None:
            continue
        for event in events[incident_id]:
            owner[event.id] = (incident_id, event.kind)
        for event_id, send in plan_tick(events[incident_id], state=row["state"], now=now):
            (send_ids if send else skip_ids).append(event_id)
    if skip_ids:
        conn.execute(
            update(deadline_events)
            .where(deadline_events.c.id.in_(skip_ids), deadline_events.c.fired_at.is_(None))
            .values(fired_at=to_db(now), skipped=True)
        )
    if not send_ids:
        return 0
    won = set(
        conn.execute(
            update(deadline_events)
            .where(deadline_events.c.id.in_(send_ids), deadline_events.c.fired_at.is_(None))
            .values(fired_at=to_db(now), skipped=False)
            .returning(deadline_events.c.id)
        ).scalars()
    )
    # Another tick that fired an event first owns its message; we only notify for rows we changed.
    fired = [owner[event_id] for event_id in send_ids if event_id in won]
    breached = [incident_id for incident_id, kind in fired if kind == BREACH]
    if breached:
        conn.execute(
            update(incidents)
            .where(incidents.c.id.in_(breached), incidents.c.breached_at.is_(None))
            .values(breached_at=to_db(now), updated_at=to_db(now))
        )
    notices = [_notice(config, rows[incident_id], kind) for incident_id, kind in fired]
    enqueue_many(conn, config, notices, now=now)
    for notice in notices:
        # Escalations and breaches are part of the incident's compliance record; reminders show up
        # through their clock event and the notify.* entries of their messages.
        if notice.kind in ("escalation", "breach"):
            incident = notice.incident
            audit(
                conn,
                actor=SYSTEM_ACTOR,
                kind="incident.escalate" if notice.kind == "escalation" else "incident.breach",
                subject=f"incident:{incident['id']}",
                now=now,
                data={
                    "respond_by": as_utc_required(incident["respond_by"]).isoformat(),
                    "state": incident["state"],
                    "channels": list(notice.channels),
                },
            )
    # An escalation with no escalate_to route fires (it is stored) but sends nothing.
    return sum(1 for n in notices if n.channels)


def _notice(config: Config, incident: RowMapping, kind: str) -> Notice:
    brand, severity = incident["brand"], incident["severity"]
    if is_reminder(kind):
        return Notice(route_channels(config, brand, severity), incident, "reminder", kind.replace(":", ""))
    if kind == ESCALATION:
        return Notice(escalation_channels(config, brand, severity), incident, "escalation", "escalation")
    channels = route_channels(config, brand, severity)
    channels += [c for c in escalation_channels(config, brand, severity) if c not in channels]
    return Notice(channels, incident, "breach", "breach")


def reschedule_events(
    conn: Connection, config: Config, *, incident_id: int, opened_at: datetime, deadline: datetime
) -> None:
    """Move the not-yet-fired events of an incident to a new (earlier) deadline."""
    fired = set(
        conn.execute(
            select(deadline_events.c.kind).where(
                deadline_events.c.incident_id == incident_id, deadline_events.c.fired_at.is_not(None)
            )
        ).scalars()
    )
    conn.execute(
        delete(deadline_events).where(
            deadline_events.c.incident_id == incident_id, deadline_events.c.fired_at.is_(None)
        )
    )
    for kind, due in plan_events(
        opened_at=opened_at,
        deadline=deadline,
        reminder_offsets_minutes=config.alerts.reminder_offsets_minutes,
        escalate_after_minutes=config.alerts.escalate_after_minutes,
    ):
        if kind not in fired:
            conn.execute(
                insert(deadline_events).values(
                    incident_id=incident_id, kind=kind, due_at=to_db(due), skipped=False
                )
            )
