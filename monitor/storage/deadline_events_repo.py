"""Deadline events: every SQL statement of the ``deadline_events`` table (the stored clock of incidents).

Each incident has one row per clock event kind (reminders, escalation, breach). An event fires exactly
once: ``mark_fired`` is a conditional update on ``fired_at IS NULL`` that returns only the rows it
changed, so two daemons ticking at once cannot both own an event.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from monitor.storage.schema import deadline_events
from monitor.storage.times import as_utc_required, to_db


def insert_events(conn: Connection, incident_id: int, events: Sequence[tuple[str, datetime]]) -> None:
    """Store (kind, due_at) clock events of one incident."""
    if events:
        conn.execute(
            insert(deadline_events),
            [
                {"incident_id": incident_id, "kind": kind, "due_at": to_db(due), "skipped": False}
                for kind, due in events
            ],
        )


def fired_kinds(conn: Connection, incident_id: int) -> set[str]:
    query = select(deadline_events.c.kind).where(
        deadline_events.c.incident_id == incident_id, deadline_events.c.fired_at.is_not(None)
    )
    return set(conn.execute(query).scalars())


def delete_unfired(conn: Connection, incident_id: int) -> None:
    conn.execute(
        delete(deadline_events).where(
            deadline_events.c.incident_id == incident_id, deadline_events.c.fired_at.is_(None)
        )
    )


class DueEvent(NamedTuple):
    id: int
    incident_id: int
    kind: str
    due_at: datetime  # aware UTC


def due_events(conn: Connection, now: datetime) -> list[DueEvent]:
    """Unfired events due at ``now``, by incident then due time."""
    rows = conn.execute(
        select(
            deadline_events.c.id,
            deadline_events.c.incident_id,
            deadline_events.c.kind,
            deadline_events.c.due_at,
        )
        .where(deadline_events.c.fired_at.is_(None), deadline_events.c.due_at <= to_db(now))
        .order_by(deadline_events.c.incident_id, deadline_events.c.due_at)
    ).all()
    return [DueEvent(r.id, r.incident_id, r.kind, as_utc_required(r.due_at)) for r in rows]


def mark_skipped(conn: Connection, event_ids: Collection[int], now: datetime) -> None:
    """Fired-but-not-sent: the incident no longer needed it, or it went stale during downtime."""
    conn.execute(
        update(deadline_events)
        .where(deadline_events.c.id.in_(event_ids), deadline_events.c.fired_at.is_(None))
        .values(fired_at=to_db(now), skipped=True)
    )


def mark_fired(conn: Connection, event_ids: Collection[int], now: datetime) -> set[int]:
    """Fire the still-unfired events among ``event_ids``; returns the ids this call fired."""
    return set(
        conn.execute(
            update(deadline_events)
            .where(deadline_events.c.id.in_(event_ids), deadline_events.c.fired_at.is_(None))
            .values(fired_at=to_db(now), skipped=False)
            .returning(deadline_events.c.id)
        ).scalars()
    )


def pending_due_count(conn: Connection, now: datetime) -> int:
    """Events due and not yet fired (health pages: a growing number means the tick is not running)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(deadline_events)
            .where(and_(deadline_events.c.fired_at.is_(None), deadline_events.c.due_at <= to_db(now)))
        ).scalar_one()
    )


def events_of(conn: Connection, incident_id: int) -> list[RowMapping]:
    """All clock events of one incident (its timeline)."""
    return list(
        conn.execute(select(deadline_events).where(deadline_events.c.incident_id == incident_id)).mappings()
    )
