"""Sources and their schedule state: sync from config, claim due rows, release after a fetch, re-plan.

Several daemons may share one PostgreSQL database, so a due source is *claimed* before it is fetched:
``SELECT ... FOR UPDATE SKIP LOCKED`` picks rows no other transaction holds, and the ``UPDATE`` that
sets ``claimed_by``/``claimed_until`` repeats the "claimable" condition and returns only the rows it
really changed. On SQLite the same statements run under ``BEGIN IMMEDIATE`` (engine.py), which
serialises claimers; SQLAlchemy renders no ``FOR UPDATE`` there. A crashed worker's claim simply
expires after ``lease_s``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping

from monitor.storage.locks import xact_lock
from monitor.storage.schema import sources
from monitor.storage.times import as_utc, as_utc_required, to_db, to_db_optional

REMOVED_FROM_CONFIG = "removed from config"


@dataclass(frozen=True)
class SourceSpec:
    """A source as the config declares it."""

    name: str
    kind: str
    url: str
    brands: tuple[str, ...]
    interval_s: int
    tz: str = "Asia/Shanghai"


@dataclass(frozen=True)
class SourceRow:
    """A stored source with its schedule state; all times are aware UTC."""

    id: int
    name: str
    kind: str
    url: str
    brands: tuple[str, ...]
    interval_s: int
    tz: str
    next_check_at: datetime
    consecutive_errors: int
    first_error_at: datetime | None
    last_error: str | None
    last_success_at: datetime | None
    last_checked_at: datetime | None
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    baseline_done: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    claimed_by: str | None
    claimed_until: datetime | None
    fetch_count: int
    created_at: datetime

    @classmethod
    def from_mapping(cls, row: RowMapping) -> SourceRow:
        return cls(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            url=row["url"],
            brands=tuple(row["brands"] or ()),
            interval_s=row["interval_s"],
            tz=row["tz"],
            next_check_at=as_utc_required(row["next_check_at"]),
            consecutive_errors=row["consecutive_errors"],
            first_error_at=as_utc(row["first_error_at"]),
            last_error=row["last_error"],
            last_success_at=as_utc(row["last_success_at"]),
            last_checked_at=as_utc(row["last_checked_at"]),
            etag=row["etag"],
            last_modified=row["last_modified"],
            body_sha256=row["body_sha256"],
            baseline_done=bool(row["baseline_done"]),
            disabled_at=as_utc(row["disabled_at"]),
            disabled_reason=row["disabled_reason"],
            claimed_by=row["claimed_by"],
            claimed_until=as_utc(row["claimed_until"]),
            fetch_count=row["fetch_count"],
            created_at=as_utc_required(row["created_at"]),
        )


# Columns release_source may write; anything else is a programming error.
RELEASE_FIELDS = frozenset(
    {
        "next_check_at",
        "consecutive_errors",
        "first_error_at",
        "last_error",
        "last_success_at",
        "last_checked_at",
        "etag",
        "last_modified",
        "body_sha256",
        "baseline_done",
        "disabled_at",
        "disabled_reason",
    }
)
_TIME_FIELDS = frozenset(
    {"next_check_at", "first_error_at", "last_success_at", "last_checked_at", "disabled_at"}
)


def sync_sources(conn: Connection, specs: Sequence[SourceSpec], *, now: datetime) -> None:
    """Upsert sources by name from the config; mark rows no longer configured as disabled.

    New sources are due at once. A source that comes back into the config, or whose URL changed
    (an operator fixing a broken feed), is re-enabled with a clean error streak and due at once;
    validators are dropped on a URL change because they belong to the old URL.
    """
    now_db = to_db(now)
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError("source names must be unique")
    # Several daemons starting together on PostgreSQL would otherwise all insert the same new names.
    xact_lock(conn, "sources.sync")
    existing = {row["name"]: row for row in conn.execute(select(sources)).mappings()}
    for spec in specs:
        config_values: dict[str, Any] = {
            "kind": spec.kind,
            "url": spec.url,
            "brands": list(spec.brands),
            "interval_s": spec.interval_s,
            "tz": spec.tz,
        }
        row = existing.get(spec.name)
        if row is None:
            conn.execute(
                sources.insert().values(
                    name=spec.name, next_check_at=now_db, created_at=now_db, **config_values
                )
            )
            continue
        changes = {key: value for key, value in config_values.items() if row[key] != value}
        reenable = row["disabled_reason"] == REMOVED_FROM_CONFIG or (
            "url" in changes and row["disabled_at"] is not None
        )
        if "url" in changes:
            changes.update(
                etag=None,
                last_modified=None,
                body_sha256=None,
                consecutive_errors=0,
                first_error_at=None,
                last_error=None,
                next_check_at=now_db,
            )
        if reenable:
            changes.update(disabled_at=None, disabled_reason=None, next_check_at=now_db)
        if changes:
            conn.execute(update(sources).where(sources.c.id == row["id"]).values(**changes))
    configured = set(names)
    for name, row in existing.items():
        if name not in configured and row["disabled_reason"] != REMOVED_FROM_CONFIG:
            conn.execute(
                update(sources)
                .where(sources.c.id == row["id"])
                .values(disabled_at=now_db, disabled_reason=REMOVED_FROM_CONFIG)
            )


def _claimable(now_db: datetime) -> Any:
    return and_(
        sources.c.next_check_at <= now_db,
        sources.c.disabled_at.is_(None),
        or_(sources.c.claimed_until.is_(None), sources.c.claimed_until <= now_db),
    )


def claim_due_sources(
    engine: Engine, *, worker_id: str, now: datetime, limit: int, lease_s: int
) -> list[SourceRow]:
    """Claim up to ``limit`` due sources for ``worker_id`` until ``now + lease_s``; oldest due first."""
    if limit <= 0:
        return []
    now_db = to_db(now)
    until = to_db(now + timedelta(seconds=lease_s))
    with engine.begin() as conn:
        ids = list(
            conn.execute(
                select(sources.c.id)
                .where(_claimable(now_db))
                .order_by(sources.c.next_check_at, sources.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if not ids:
            return []
        rows = conn.execute(
            update(sources)
            .where(sources.c.id.in_(ids), _claimable(now_db))
            .values(claimed_by=worker_id, claimed_until=until)
            .returning(*sources.c)
        ).mappings()
        claimed = [SourceRow.from_mapping(row) for row in rows]
    claimed.sort(key=lambda row: (row.next_check_at, row.id))
    return claimed


def release_source(conn: Connection, source_id: int, *, worker_id: str, **state_updates: Any) -> bool:
    """Write the schedule state after a fetch and clear the claim, only if the claim is still ours.

    Returns False (and writes nothing) when the lease expired and another worker took the source:
    its result wins, ours is stale.
    """
    unknown = set(state_updates) - RELEASE_FIELDS
    if unknown:
        raise TypeError(f"release_source got unexpected fields: {', '.join(sorted(unknown))}")
    values = {
        key: to_db_optional(value) if key in _TIME_FIELDS else value for key, value in state_updates.items()
    }
    if values.get("next_check_at", True) is None:
        raise ValueError("next_check_at cannot be None")
    statement = _release_statement(frozenset(values))
    result = conn.execute(statement, {"_source_id": source_id, "_worker_id": worker_id, **values})
    return result.rowcount == 1


@functools.cache
def _release_statement(fields: frozenset[str]) -> Any:
    """One statement per set of written fields (a handful of outcomes): every crawl releases its source,
    and building the UPDATE cost more than running it."""
    return (
        update(sources)
        .where(sources.c.id == bindparam("_source_id"), sources.c.claimed_by == bindparam("_worker_id"))
        .values(
            claimed_by=None,
            claimed_until=None,
            fetch_count=sources.c.fetch_count + 1,
            **{name: bindparam(name) for name in sorted(fields)},
        )
    )


def release_claims(conn: Connection, *, worker_id: str) -> int:
    """Clear every claim ``worker_id`` still holds (a stopped or interrupted tick); returns how many.

    The schedule state is left as it was, so those sources are due again at once.
    """
    result = conn.execute(
        update(sources).where(sources.c.claimed_by == worker_id).values(claimed_by=None, claimed_until=None)
    )
    return result.rowcount


class Schedule(NamedTuple):
    """When an enabled, unclaimed source is next due; what a re-plan needs, nothing more."""

    id: int
    next_check_at: datetime
    interval_s: int


def list_schedules(
    conn: Connection, *, due_before: datetime | None = None, due_after: datetime | None = None
) -> list[Schedule]:
    """Schedules of enabled sources nobody holds a claim on (the ones a re-plan may move); with
    ``due_before`` / ``due_after`` only those due before the one or after the other.

    Read every poll tick: the bounds go through the next_check_at index (reading every source each tick
    cost 0.4 s per tick at 10,000 sources), and a tuple per row, not a dataclass, keeps it cheap.
    """
    query = select(sources.c.id, sources.c.next_check_at, sources.c.interval_s).where(
        sources.c.disabled_at.is_(None), sources.c.claimed_by.is_(None)
    )
    if due_before is not None and due_after is not None:
        query = query.where(
            or_(sources.c.next_check_at < to_db(due_before), sources.c.next_check_at > to_db(due_after))
        )
    rows = conn.execute(query)
    return [Schedule(source_id, as_utc_required(at), interval) for source_id, at, interval in rows]


def reschedule(conn: Connection, source_id: int, *, expected: datetime, next_check_at: datetime) -> bool:
    """Move an unclaimed source's next check, only if it is still ``expected`` (as read by
    ``list_schedules``): another daemon may have crawled or re-planned it meanwhile. True if moved."""
    result = conn.execute(
        update(sources)
        .where(
            sources.c.id == source_id,
            sources.c.next_check_at == to_db(expected),
            sources.c.claimed_by.is_(None),
        )
        .values(next_check_at=to_db(next_check_at))
    )
    return result.rowcount == 1


def get_source(conn: Connection, source_id: int) -> SourceRow | None:
    row = conn.execute(select(sources).where(sources.c.id == source_id)).mappings().first()
    return None if row is None else SourceRow.from_mapping(row)


def list_sources(conn: Connection) -> list[SourceRow]:
    """All sources, by name (disabled ones included: ``sources list`` shows why they stopped)."""
    return [
        SourceRow.from_mapping(row)
        for row in conn.execute(select(sources).order_by(sources.c.name)).mappings()
    ]


def source_names(conn: Connection) -> dict[int, str]:
    """id -> name of every source (a small table: callers map ids instead of joining)."""
    return {int(source_id): name for source_id, name in conn.execute(select(sources.c.id, sources.c.name))}


def renew_claims(engine: Engine, *, worker_id: str, until: datetime) -> int:
    """Heartbeat: extend every lease ``worker_id`` holds to ``until``; returns how many rows it holds.

    Only a live daemon renews, so a killed one's leases run out and the others take its sources over.
    """
    with engine.begin() as conn:
        return conn.execute(
            update(sources).where(sources.c.claimed_by == worker_id).values(claimed_until=to_db(until))
        ).rowcount
