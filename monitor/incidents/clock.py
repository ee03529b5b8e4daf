"""The deadline tick: fire due reminders, escalations and breaches exactly once, surviving restarts.

Exactly once: events are marked fired by a conditional update on ``fired_at IS NULL`` with
``RETURNING`` (``deadline_events_repo.mark_fired``); only the ids this tick changed get a message, so two
daemons ticking at once (or a re-run after a crash) cannot both notify. The fired marks, outbox rows,
breach stamps and audit entries of a chunk commit together. Which events send is decided by
``alerts.deadline.plan_tick`` (after downtime only the latest overdue reminder goes out, so a restart
produces no burst of stale reminders); who hears about them by ``alerts.routing.clock_channels``.

Work is done in bulk per chunk of incidents: a tick over thousands of due incidents is a handful of
statements per chunk rather than several per event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection, Engine, RowMapping

from alerts.deadline import BREACH, ESCALATION, PendingEvent, is_reminder, plan_tick, replan
from alerts.routing import Route, clock_channels
from monitor.incidents.calendar_status import log_calendar_warning
from monitor.incidents.enqueue import Notice, enqueue_many
from monitor.incidents.journal import SYSTEM_ACTOR, audit
from monitor.incidents.settings import routes
from monitor.storage import deadline_events_repo, incidents_repo
from monitor.storage.times import as_utc_required

if TYPE_CHECKING:
    from monitor.config import Config

CHUNK = 500  # incidents per transaction: short write locks, few commits for a big backlog


def tick_deadlines(engine: Engine, config: Config, now: datetime) -> int:
    """Fire every clock event due at ``now``; returns the number of events that sent a message."""
    log_calendar_warning(config, now)
    with engine.connect() as conn:
        due = deadline_events_repo.due_events(conn, now)
    by_incident: dict[int, list[PendingEvent]] = defaultdict(list)
    for row in due:
        by_incident[row.incident_id].append(PendingEvent(row.id, row.kind, row.due_at))
    ids = list(by_incident)
    route_table = routes(config)
    sent = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with engine.begin() as conn:
            sent += _fire_chunk(conn, config, route_table, chunk, by_incident, now)
    return sent


def _fire_chunk(
    conn: Connection,
    config: Config,
    route_table: Sequence[Route],
    chunk: list[int],
    events: dict[int, list[PendingEvent]],
    now: datetime,
) -> int:
    rows = incidents_repo.get_rows(conn, chunk)
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
        deadline_events_repo.mark_skipped(conn, skip_ids, now)
    if not send_ids:
        return 0
    won = deadline_events_repo.mark_fired(conn, send_ids, now)
    # Another tick that fired an event first owns its message; we only notify for rows we changed.
    fired = [owner[event_id] for event_id in send_ids if event_id in won]
    breached = [incident_id for incident_id, kind in fired if kind == BREACH]
    if breached:
        incidents_repo.mark_breached(conn, breached, now)
    # Routing is pure: one answer per (event kind, brand, tier) serves the whole chunk.
    routed: dict[tuple[str, str, str], list[str]] = {}
    notices = []
    for incident_id, kind in fired:
        row = rows[incident_id]
        key = (kind, row["brand"], row["severity"])
        if key not in routed:
            routed[key] = clock_channels(route_table, *key)
        notices.append(_notice(routed[key], row, kind))
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


def _notice(channels: list[str], incident: RowMapping, kind: str) -> Notice:
    if is_reminder(kind):
        # The event ("reminder-120") keeps one message per reminder offset in the idempotency key.
        return Notice(channels, incident, "reminder", kind.replace(":", ""))
    message = "escalation" if kind == ESCALATION else "breach"
    return Notice(channels, incident, message, message)


def reschedule_events(conn: Connection, *, incident_id: int, plan: Sequence[tuple[str, datetime]]) -> None:
    """Replace the not-yet-fired clock events of an incident by ``plan`` (its moved deadline's clock)."""
    fired = deadline_events_repo.fired_kinds(conn, incident_id)
    deadline_events_repo.delete_unfired(conn, incident_id)
    deadline_events_repo.insert_events(conn, incident_id, replan(plan, fired))
