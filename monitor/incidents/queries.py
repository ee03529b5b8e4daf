"""Read side of incidents: listings, one incident with its mentions and timeline, SLA input, feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from alerts.errors import IncidentNotFound
from alerts.sla import IncidentTimes
from alerts.transitions import OPEN_STATES
from monitor.storage.schema import audit_log, deadline_events, incidents, mentions, outbox
from monitor.storage.times import as_utc, as_utc_required, to_db

_TIME_COLUMNS = (
    "opened_at",
    "respond_by",
    "acknowledged_at",
    "responded_at",
    "resolved_at",
    "dismissed_at",
    "breached_at",
    "updated_at",
)


def _incident_dict(row: Any) -> dict[str, Any]:
    data = dict(row)
    for key in _TIME_COLUMNS:
        data[key] = as_utc(data.get(key))
    return data


def list_incidents(
    conn: Connection, *, open_only: bool = False, breached_only: bool = False, limit: int = 200
) -> list[dict[str, Any]]:
    """Newest first. ``open_only``: open, acknowledged or responded; ``breached_only``: missed deadline."""
    query = select(incidents)
    if open_only:
        query = query.where(incidents.c.state.in_(OPEN_STATES))
    if breached_only:
        query = query.where(incidents.c.breached_at.is_not(None))
    query = query.order_by(incidents.c.opened_at.desc(), incidents.c.id.desc()).limit(limit)
    return [_incident_dict(r) for r in conn.execute(query).mappings()]


def get_incident(conn: Connection, incident_id: int) -> dict[str, Any]:
    """The incident with ``mentions`` (newest first) and ``timeline`` (clock events, messages, audit)."""
    row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().first()
    if row is None:
        raise IncidentNotFound(f"no incident with id {incident_id}")
    result = _incident_dict(row)
    result["mentions"] = [
        {**dict(m), "published_at": as_utc(m["published_at"]), "fetched_at": as_utc(m["fetched_at"])}
        for m in conn.execute(
            select(
                mentions.c.id,
                mentions.c.title,
                mentions.c.url,
                mentions.c.author,
                mentions.c.published_at,
                mentions.c.fetched_at,
                mentions.c.p_negative,
                mentions.c.label,
                mentions.c.risk_terms,
                mentions.c.followers,
                mentions.c.likes,
                mentions.c.reposts,
            )
            .where(mentions.c.incident_id == incident_id)
            .order_by(mentions.c.published_at.desc())
        ).mappings()
    ]
    timeline: list[dict[str, Any]] = []
    for e in conn.execute(
        select(deadline_events).where(deadline_events.c.incident_id == incident_id)
    ).mappings():
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
    for o in conn.execute(select(outbox).where(outbox.c.incident_id == incident_id)).mappings():
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
    for a in conn.execute(
        select(audit_log).where(audit_log.c.subject == f"incident:{incident_id}")
    ).mappings():
        timeline.append(
            {"at": as_utc_required(a["ts"]), "type": "audit", "what": a["kind"], "detail": f"by {a['actor']}"}
        )
    timeline.sort(key=lambda t: t["at"])
    result["timeline"] = timeline
    return result


def sla_inputs(conn: Connection, *, since: datetime) -> list[IncidentTimes]:
    rows = conn.execute(select(incidents).where(incidents.c.opened_at >= to_db(since))).mappings()
    return [
        IncidentTimes(
            brand=r["brand"],
            severity=r["severity"],
            state=r["state"],
            opened_at=as_utc_required(r["opened_at"]),
            respond_by=as_utc_required(r["respond_by"]),
            acknowledged_at=as_utc(r["acknowledged_at"]),
            responded_at=as_utc(r["responded_at"]),
            breached_at=as_utc(r["breached_at"]),
        )
        for r in rows
    ]


def dismissed_feedback(conn: Connection) -> list[dict[str, Any]]:
    """Mentions of dismissed incidents with the reason: false alarms, kept as labelled model feedback."""
    query = (
        select(
            mentions.c.id,
            mentions.c.brand,
            mentions.c.title,
            mentions.c.text,
            mentions.c.p_negative,
            incidents.c.id.label("incident_id"),
            incidents.c.dismiss_reason,
        )
        .join(incidents, mentions.c.incident_id == incidents.c.id)
        .where(incidents.c.state == "dismissed")
        .order_by(mentions.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]
