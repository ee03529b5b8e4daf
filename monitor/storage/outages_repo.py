"""Blind windows: every SQL statement of ``source_outages`` (periods a source was NOT covered).

Shared contract (issues 12, 16, 17): a row is the half-open period ``[started_at, ended_at)``; a NULL
``ended_at`` means "still not covered" and readers treat it as "until now". A source has at most one open
row: ``transition`` closes the open row and opens the next in the caller's transaction, so a crawl's state
change and its mentions commit (or roll back) together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.engine import Connection

from monitor.storage.schema import daemon_state, source_outages, sources
from monitor.storage.times import as_utc, as_utc_required, to_db

# Not-covered states, as the contract names them.
OUTAGE_STATES = ("failing", "throttled", "blocked", "needs_config", "disabled", "daemon_down")


@dataclass(frozen=True)
class Outage:
    id: int
    source_id: int
    state: str
    reason: str | None
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class Transition:
    """What changed for one source: ``before``/``after`` are states ("ok" when covered)."""

    source_id: int
    before: str
    before_reason: str | None
    after: str
    after_reason: str | None
    since: datetime | None  # start of the outage that just ended, if one did


def _row(row: object) -> Outage:
    m = row._mapping  # type: ignore[attr-defined]
    return Outage(
        id=m["id"],
        source_id=m["source_id"],
        state=m["state"],
        reason=m["reason"],
        started_at=as_utc_required(m["started_at"]),
        ended_at=as_utc(m["ended_at"]),
    )


# Built once: every crawl asks this, and building the statement cost more than running it.
_OPEN_OUTAGE = (
    select(source_outages)
    .where(source_outages.c.source_id == bindparam("source_id"), source_outages.c.ended_at.is_(None))
    .order_by(source_outages.c.started_at.desc(), source_outages.c.id.desc())
    .limit(1)
)


def open_outage(conn: Connection, source_id: int) -> Outage | None:
    row = conn.execute(_OPEN_OUTAGE, {"source_id": source_id}).first()
    return None if row is None else _row(row)


def open_outages(conn: Connection) -> dict[int, Outage]:
    """Every source's open outage, by source id (what ``sources list`` and /metrics show)."""
    rows = conn.execute(select(source_outages).where(source_outages.c.ended_at.is_(None)))
    return {o.source_id: o for o in map(_row, rows)}


def transition(
    conn: Connection, source_id: int, state: str, reason: str | None, now: datetime
) -> Transition | None:
    """Record the source's coverage state as of ``now``; returns the change, or None if nothing changed.

    ``state`` is "ok" (covered) or one of ``OUTAGE_STATES``. Same state with a new reason is a change too
    ("needs config (cookie expired)" after "blocked (login required)" is news for the operator).
    """
    if state != "ok" and state not in OUTAGE_STATES:
        raise ValueError(f"unknown coverage state {state!r}")
    current = open_outage(conn, source_id)
    if current is None and state == "ok":
        return None
    if current is not None and current.state == state and current.reason == reason:
        return None
    if current is not None:
        conn.execute(
            update(source_outages).where(source_outages.c.id == current.id).values(ended_at=to_db(now))
        )
    if state != "ok":
        conn.execute(
            source_outages.insert().values(
                source_id=source_id, state=state, reason=reason, started_at=to_db(now), ended_at=None
            )
        )
    return Transition(
        source_id=source_id,
        before=current.state if current else "ok",
        before_reason=current.reason if current else None,
        after=state,
        after_reason=reason,
        since=current.started_at if current else None,
    )


def record_period(
    conn: Connection,
    source_ids: Iterable[int],
    state: str,
    reason: str | None,
    started_at: datetime,
    ended_at: datetime,
) -> int:
    """A closed outage for each source (e.g. ``daemon_down`` between the last tick and a restart)."""
    rows = [
        {
            "source_id": sid,
            "state": state,
            "reason": reason,
            "started_at": to_db(started_at),
            "ended_at": to_db(ended_at),
        }
        for sid in source_ids
    ]
    if rows:
        conn.execute(source_outages.insert(), rows)
    return len(rows)


def outages_between(
    conn: Connection, start: datetime, end: datetime, *, source_ids: Sequence[int] | None = None
) -> list[Outage]:
    """Outages overlapping ``[start, end)``, oldest first (open ones included)."""
    query = select(source_outages).where(
        source_outages.c.started_at < to_db(end),
        or_(source_outages.c.ended_at.is_(None), source_outages.c.ended_at > to_db(start)),
    )
    if source_ids is not None:
        query = query.where(source_outages.c.source_id.in_(list(source_ids)))
    query = query.order_by(source_outages.c.started_at, source_outages.c.id)
    return [_row(r) for r in conn.execute(query)]


def brand_source_ids(conn: Connection, brand: str) -> dict[int, str]:
    """Source id -> name for the enabled-or-not sources a brand is matched on (JSON brands column)."""
    out: dict[int, str] = {}
    for sid, name, brands in conn.execute(select(sources.c.id, sources.c.name, sources.c.brands)):
        if brand in (brands or ()):
            out[int(sid)] = str(name)
    return out


def sources_created(conn: Connection, source_ids: Sequence[int]) -> dict[int, datetime]:
    """When each source row was created: a source is not "blind" before it existed."""
    if not source_ids:
        return {}
    rows = conn.execute(
        select(sources.c.id, sources.c.created_at).where(and_(sources.c.id.in_(list(source_ids))))
    )
    return {int(sid): as_utc_required(created) for sid, created in rows}


# --- brands with no live source -------------------------------------------------------------------
# Kept in daemon_state (key "brand_blind:<brand>") so the operator hears once when a brand goes blind
# and once when it can be seen again, however many polls happen in between.


def _blind_key(brand: str) -> str:
    return f"brand_blind:{brand}"[:100]


def live_source_count(conn: Connection, brand: str) -> tuple[int, int]:
    """(enabled sources of the brand, of which not inside an outage now)."""
    rows = conn.execute(select(sources.c.id, sources.c.brands).where(sources.c.disabled_at.is_(None)))
    mine = [int(sid) for sid, brands in rows if brand in (brands or ())]
    if not mine:
        return 0, 0
    blind = set(
        conn.execute(
            select(source_outages.c.source_id).where(
                source_outages.c.ended_at.is_(None), source_outages.c.source_id.in_(mine)
            )
        ).scalars()
    )
    return len(mine), len([sid for sid in mine if sid not in blind])


def brand_blind_since(conn: Connection, brand: str) -> datetime | None:
    value = conn.execute(select(daemon_state.c.value).where(daemon_state.c.key == _blind_key(brand))).scalar()
    if not isinstance(value, dict) or "since" not in value:
        return None
    return datetime.fromisoformat(str(value["since"]))


def set_brand_blind(conn: Connection, brand: str, since: datetime | None, now: datetime) -> None:
    """Mark (``since`` given) or clear (None) a brand as having no live source."""
    conn.execute(daemon_state.delete().where(daemon_state.c.key == _blind_key(brand)))
    if since is not None:
        conn.execute(
            daemon_state.insert().values(
                key=_blind_key(brand), value={"since": since.isoformat()}, updated_at=to_db(now)
            )
        )


# --- daemon heartbeat (daemon_down windows) -------------------------------------------------------
_HEARTBEAT = "coverage_heartbeat"


def swap_heartbeat(conn: Connection, now: datetime) -> datetime | None:
    """Store ``now`` as the last poll tick of any daemon; return the previous one."""
    value = conn.execute(select(daemon_state.c.value).where(daemon_state.c.key == _HEARTBEAT)).scalar()
    fresh = {"value": {"at": now.isoformat()}, "updated_at": to_db(now)}
    changed = conn.execute(daemon_state.update().where(daemon_state.c.key == _HEARTBEAT).values(**fresh))
    if changed.rowcount == 0:
        conn.execute(daemon_state.insert().values(key=_HEARTBEAT, **fresh))
    if isinstance(value, dict) and "at" in value:
        return datetime.fromisoformat(str(value["at"]))
    return None


def enabled_source_intervals(conn: Connection) -> dict[int, int]:
    """Enabled sources and their polling interval in seconds."""
    rows = conn.execute(select(sources.c.id, sources.c.interval_s).where(sources.c.disabled_at.is_(None)))
    return {int(sid): int(interval) for sid, interval in rows}
