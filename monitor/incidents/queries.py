"""Read side of incidents: listings, the board, one incident with its mentions and timeline, SLA input,
feedback and channel health. The SQL lives in ``monitor.storage``; this module shapes the answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from alerts.errors import IncidentNotFound
from alerts.sla import IncidentTimes
from alerts.transitions import OPEN_STATES
from monitor.storage import audit_repo, deadline_events_repo, incident_ops_repo, incidents_repo, outbox_repo
from monitor.storage.times import as_utc, as_utc_required


def list_incidents(
    conn: Connection, *, open_only: bool = False, breached_only: bool = False, limit: int = 200
) -> list[dict[str, Any]]:
    """Newest first. ``open_only``: open, acknowledged or responded; ``breached_only``: missed deadline."""
    return incidents_repo.list_incidents(
        conn, states=OPEN_STATES if open_only else None, breached_only=breached_only, limit=limit
    )


def open_board(conn: Connection, *, limit: int = 200) -> list[dict[str, Any]]:
    """Open incidents, most severe first, then the nearest deadline (what needs an answer next)."""
    return incidents_repo.board(conn, states=OPEN_STATES, limit=limit)


def get_incident(conn: Connection, incident_id: int) -> dict[str, Any]:
    """The incident with ``mentions`` (newest first) and ``timeline`` (clock events, messages, audit)."""
    result = incidents_repo.get_incident(conn, incident_id)
    if result is None:
        raise IncidentNotFound(f"no incident with id {incident_id}")
    result["mentions"] = incidents_repo.incident_mentions(conn, incident_id)
    timeline: list[dict[str, Any]] = []
    for e in deadline_events_repo.events_of(conn, incident_id):
        fired = as_utc(e["fired_at"])
        status = "pending" if fired is None else ("skipped" if e["skipped"] else "fired")
        timeline.append(
            {
                "at": fired or as_utc_required(e["due_at"]),
                "type": "clock",
                "what": e["kind"],
                "detail": status,
            }
        )
    for o in outbox_repo.messages_of(conn, incident_id):
        detail = f"{o['status']} after {o['attempts']} attempt(s)"
        if o["last_error"]:
            detail += f": {o['last_error']}"
        timeline.append(
            {
                "at": as_utc(o["sent_at"]) or as_utc_required(o["created_at"]),
                "type": "message",
                "what": f"{o['kind']} -> {o['channel']}",
                "detail": detail,
            }
        )
    for n in incident_ops_repo.notes_of(conn, incident_id):
        timeline.append({"at": n["created_at"], "type": "note", "what": n["author"], "detail": n["text"]})
    for a in audit_repo.entries_by_subject(conn, f"incident:{incident_id}"):
        timeline.append({"at": a.ts, "type": "audit", "what": a.kind, "detail": f"by {a.actor}"})
    timeline.sort(key=lambda t: t["at"])
    result["timeline"] = timeline
    return result


def sla_inputs(conn: Connection, *, since: datetime) -> list[IncidentTimes]:
    return [incidents_repo.sla_times(r) for r in incidents_repo.opened_since(conn, since)]


def dismissed_feedback(conn: Connection) -> list[dict[str, Any]]:
    """Mentions of dismissed incidents with the reason: false alarms, kept as labelled model feedback."""
    return incidents_repo.dismissed_mentions(conn)


def channel_status(conn: Connection) -> list[dict[str, Any]]:
    """Every channel's stored state (disabled or not, and why), by name."""
    return outbox_repo.channel_states(conn)
