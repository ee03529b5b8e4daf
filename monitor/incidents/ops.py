"""People running incidents: assign an owner, write notes on the timeline, merge duplicates, split
stories that were folded together.

Each is one transaction with its compliance-log entries. Merge and split write an entry on *both*
incidents' subjects (which mentions moved, from where to where), so each incident's own history stays
complete after the change. A merged incident ends in state ``duplicate``, which is not a dismissal:
its mentions never become "false alarm" feedback for the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection, Engine, RowMapping

from alerts.deadline import plan_events
from alerts.errors import AlertsError, IncidentNotFound, TransitionError
from alerts.severity import highest
from alerts.transitions import CLOSED_STATES, next_state
from monitor.incidents.clock import reschedule_events
from monitor.incidents.journal import audit
from monitor.incidents.settings import update_params
from monitor.storage import deadline_events_repo, incident_ops_repo, incidents_repo
from monitor.storage.times import as_utc_required

if TYPE_CHECKING:
    from monitor.config import Config

MAX_NOTE = 4000


def _load(conn: Connection, incident_id: int) -> RowMapping:
    row = incidents_repo.get_row(conn, incident_id, for_update=True)
    if row is None:
        raise IncidentNotFound(f"no incident with id {incident_id}")
    return row


def assign(
    engine: Engine, incident_id: int, owner: str | None, *, actor: str, now: datetime
) -> dict[str, Any]:
    """Set (or with None / "" clear) the incident's owner."""
    owner = (owner or "").strip() or None
    if owner is not None and len(owner) > 200:
        raise AlertsError("owner name is longer than 200 characters")
    with engine.begin() as conn:
        row = _load(conn, incident_id)
        incident_ops_repo.set_owner(conn, incident_id, owner, now)
        audit(
            conn,
            actor=actor,
            kind="incident.assign",
            subject=f"incident:{incident_id}",
            now=now,
            data={"from": row["owner"], "to": owner},
        )
        updated = incidents_repo.get_row(conn, incident_id)
        assert updated is not None  # locked above
        return dict(updated)


def add_note(engine: Engine, incident_id: int, text: str, *, actor: str, now: datetime) -> int:
    """An internal note on the timeline; the log keeps its length and hash-chained entry, not the text."""
    text = text.strip()
    if not text:
        raise AlertsError("a note needs some text")
    if len(text) > MAX_NOTE:
        raise AlertsError(f"a note is at most {MAX_NOTE} characters (got {len(text)})")
    with engine.begin() as conn:
        _load(conn, incident_id)
        note_id = incident_ops_repo.add_note(conn, incident_id, actor, text, now)
        audit(
            conn,
            actor=actor,
            kind="incident.note",
            subject=f"incident:{incident_id}",
            now=now,
            data={"note_id": note_id, "chars": len(text)},
        )
        return note_id


def merge(
    engine: Engine, config: Config, incident_id: int, *, into: int, actor: str, now: datetime
) -> dict[str, Any]:
    """Merge ``incident_id`` into ``into``: its mentions move, it becomes ``duplicate``.

    The survivor keeps the earlier deadline and the higher severity of the two: merging must never give
    the team more time than either incident had.
    """
    if incident_id == into:
        raise AlertsError("cannot merge an incident into itself")
    with engine.begin() as conn:
        # Lock in id order so two opposite merges at once cannot deadlock.
        first, second = sorted((incident_id, into))
        rows = {first: _load(conn, first), second: _load(conn, second)}
        source, target = rows[incident_id], rows[into]
        if source["brand"] != target["brand"]:
            raise AlertsError(f"incidents {incident_id} and {into} are about different brands")
        if target["state"] in CLOSED_STATES:
            raise TransitionError(f"cannot merge into incident {into}: it is {target['state']}")
        next_state(source["state"], "merge", incident_id=incident_id)
        moved = incident_ops_repo.mention_ids_of(conn, incident_id)
        incident_ops_repo.move_mentions(conn, moved, into)
        values = _recomputed(conn, config, target, into, now)
        deadline = min(as_utc_required(source["respond_by"]), as_utc_required(target["respond_by"]))
        severity = highest(source["severity"], target["severity"])
        values.update(respond_by=deadline, severity=severity)
        incidents_repo.update_incident(conn, into, values)
        if deadline != as_utc_required(target["respond_by"]):
            _replan(conn, config, target, into, deadline)
        if not incidents_repo.transition(
            conn, incident_id, source["state"], {"state": "duplicate", "merged_into": into, "updated_at": now}
        ):
            raise TransitionError(f"incident {incident_id} changed concurrently; try again")
        data = {"from_incident": incident_id, "into": into, "mentions": moved}
        audit(conn, actor=actor, kind="incident.merge", subject=f"incident:{incident_id}", now=now, data=data)
        audit(conn, actor=actor, kind="incident.merged_in", subject=f"incident:{into}", now=now, data=data)
        updated = incidents_repo.get_row(conn, into)
        assert updated is not None  # locked above
        return dict(updated)


def split(
    engine: Engine,
    config: Config,
    incident_id: int,
    mention_ids: Sequence[int],
    *,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Move ``mention_ids`` out of the incident into a new one (another story folded in by mistake).

    The new incident keeps the original's severity, opening time and deadline: the team has been on the
    clock for those mentions since then, and splitting must not restart it.
    """
    wanted = sorted(set(mention_ids))
    if not wanted:
        raise AlertsError("name the mentions to split off")
    with engine.begin() as conn:
        row = _load(conn, incident_id)
        if row["state"] in CLOSED_STATES:
            raise TransitionError(f"cannot split incident {incident_id}: it is {row['state']}")
        current = incident_ops_repo.mention_ids_of(conn, incident_id)
        unknown = [m for m in wanted if m not in current]
        if unknown:
            raise AlertsError(f"mention(s) {', '.join(map(str, unknown))} are not in incident {incident_id}")
        if len(wanted) == len(current):
            raise AlertsError("splitting off every mention leaves nothing behind; merge or dismiss instead")
        titles = incidents_repo.top_mentions(conn, wanted[:1])
        story_key = incident_ops_repo.story_key_of(conn, wanted[0])
        new_id = incidents_repo.insert_incident(
            conn,
            {
                "brand": row["brand"],
                "story_key": story_key,
                "state": "open",
                "title": titles.get(wanted[0], ("", None))[0],
                "opened_at": as_utc_required(row["opened_at"]),
                "severity": row["severity"],
                "highest_notified_severity": row["highest_notified_severity"],
                "respond_by": as_utc_required(row["respond_by"]),
                "crisis_terms": list(row["crisis_terms"] or []),
                "updated_at": now,
            },
        )
        incident_ops_repo.move_mentions(conn, wanted, new_id)
        new_row = incidents_repo.get_row(conn, new_id)
        assert new_row is not None  # inserted above
        incidents_repo.update_incident(conn, new_id, _recomputed(conn, config, new_row, new_id, now))
        incidents_repo.update_incident(conn, incident_id, _recomputed(conn, config, row, incident_id, now))
        params = update_params(config, row["brand"])
        plan = plan_events(
            opened_at=as_utc_required(row["opened_at"]),
            deadline=as_utc_required(row["respond_by"]),
            reminder_offsets_minutes=params.reminder_offsets_minutes,
            escalate_after_minutes=params.escalate_after_minutes,
        )
        # Events already due are stored too: the next tick fires or skips them as for any incident.
        deadline_events_repo.insert_events(conn, new_id, plan)
        data = {"from_incident": incident_id, "new_incident": new_id, "mentions": wanted}
        audit(conn, actor=actor, kind="incident.split", subject=f"incident:{incident_id}", now=now, data=data)
        audit(conn, actor=actor, kind="incident.split_from", subject=f"incident:{new_id}", now=now, data=data)
        created = incidents_repo.get_row(conn, new_id)
        assert created is not None
        return dict(created)


def _recomputed(
    conn: Connection, config: Config, row: RowMapping, incident_id: int, now: datetime
) -> dict[str, Any]:
    threshold = config.alerts.policy_params(row["brand"]).threshold
    return {**incident_ops_repo.aggregate_from_mentions(conn, incident_id, threshold), "updated_at": now}


def _replan(conn: Connection, config: Config, row: RowMapping, incident_id: int, deadline: datetime) -> None:
    params = update_params(config, row["brand"])
    plan = plan_events(
        opened_at=as_utc_required(row["opened_at"]),
        deadline=deadline,
        reminder_offsets_minutes=params.reminder_offsets_minutes,
        escalate_after_minutes=params.escalate_after_minutes,
    )
    reschedule_events(conn, incident_id=incident_id, plan=plan)
