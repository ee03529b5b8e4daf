"""Human state changes of an incident: acknowledge, respond, resolve, dismiss.

Each is one transaction: load the incident, ask ``alerts.transitions.next_state`` whether the action is
allowed, then a conditional update on the state read (so two people acting at once cannot both win)
plus the audit entry with actor, time, from -> to and the deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from alerts.errors import AlertsError, IncidentNotFound, TransitionError
from alerts.transitions import next_state
from monitor.incidents.journal import audit
from monitor.storage import incidents_repo
from monitor.storage.times import as_utc_required

_AUDIT_KIND = {
    "acknowledge": "incident.ack",
    "respond": "incident.respond",
    "resolve": "incident.resolve",
    "dismiss": "incident.dismiss",
}


def _transition(
    engine: Engine,
    incident_id: int,
    action: str,
    *,
    actor: str,
    now: datetime,
    extra: dict[str, Any],
    audit_extra: dict[str, Any],
) -> dict[str, Any]:
    with engine.begin() as conn:
        row = incidents_repo.get_row(conn, incident_id, for_update=True)
        if row is None:
            raise IncidentNotFound(f"no incident with id {incident_id}")
        current = row["state"]
        target = next_state(current, action, incident_id=incident_id)
        values: dict[str, Any] = {"state": target, "updated_at": now, **extra}
        if action in ("respond", "resolve") and row["acknowledged_at"] is None:
            # Responding or resolving implies someone saw it: that is the acknowledgement time too.
            values.update(acknowledged_at=now, acknowledged_by=actor)
        if not incidents_repo.transition(conn, incident_id, current, values):
            raise TransitionError(f"incident {incident_id} changed concurrently; try again")
        deadline = as_utc_required(row["respond_by"])
        audit(
            conn,
            actor=actor,
            kind=_AUDIT_KIND[action],
            subject=f"incident:{incident_id}",
            now=now,
            data={
                "from": current,
                "to": target,
                "respond_by": deadline.isoformat(),
                "in_time": now <= deadline,
                **audit_extra,
            },
        )
        updated = incidents_repo.get_row(conn, incident_id)
        assert updated is not None  # locked above, in this transaction
        return dict(updated)


def acknowledge(engine: Engine, incident_id: int, *, actor: str, now: datetime) -> dict[str, Any]:
    return _transition(
        engine,
        incident_id,
        "acknowledge",
        actor=actor,
        now=now,
        extra={"acknowledged_at": now, "acknowledged_by": actor},
        audit_extra={},
    )


def respond(
    engine: Engine,
    incident_id: int,
    *,
    actor: str,
    now: datetime,
    text: str | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    text = (text or "").strip() or None
    url = (url or "").strip() or None
    if text is None and url is None:
        raise AlertsError("a response needs the published text or a link to it")
    if url is not None and not url.startswith(("http://", "https://")):
        raise AlertsError(f"response link must start with http:// or https://, got {url!r}")
    return _transition(
        engine,
        incident_id,
        "respond",
        actor=actor,
        now=now,
        extra={"responded_at": now, "responded_by": actor, "response_text": text, "response_url": url},
        audit_extra={"response_url": url, "response_chars": len(text or "")},
    )


def resolve(engine: Engine, incident_id: int, *, actor: str, now: datetime) -> dict[str, Any]:
    return _transition(
        engine,
        incident_id,
        "resolve",
        actor=actor,
        now=now,
        extra={"resolved_at": now, "resolved_by": actor},
        audit_extra={},
    )


def dismiss(engine: Engine, incident_id: int, *, actor: str, now: datetime, reason: str) -> dict[str, Any]:
    reason = reason.strip()
    if not reason:
        raise AlertsError("dismissing needs a reason (it becomes labelled feedback for the model)")
    return _transition(
        engine,
        incident_id,
        "dismiss",
        actor=actor,
        now=now,
        extra={"dismissed_at": now, "dismissed_by": actor, "dismiss_reason": reason},
        audit_extra={"reason": reason},
    )
