"""The outbox and channel state: every SQL statement of the ``outbox`` and ``channel_state`` tables.

An outbox row is the durable decision to send one message to one channel. Senders *claim* due rows
with a conditional update (``claimed_by`` + lease ``claimed_until``) that repeats the "due" condition,
so concurrent daemons get disjoint rows and a crashed sender's rows come back when the lease expires.
Every later write by the sender repeats ``claimed_by == me``: a sender whose lease ran out cannot
overwrite the outcome recorded by the one that took the row over.

``channel_state`` holds, per channel, the recent send times (the sliding rate window) and whether a
permanent error disabled the channel.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping

from monitor.storage.schema import channel_state, outbox
from monitor.storage.times import as_utc, to_db

_IN_CHUNK = 900  # under SQLite's bound-parameter limit


@dataclass(frozen=True)
class OutboxRow:
    """A claimed outbox row: what the sender needs to send it and record the outcome."""

    id: int
    idempotency_key: str
    channel: str
    incident_id: int | None
    severity: str | None
    kind: str
    payload: dict[str, Any]
    attempts: int

    @classmethod
    def from_mapping(cls, row: RowMapping) -> OutboxRow:
        return cls(
            id=row["id"],
            idempotency_key=row["idempotency_key"],
            channel=row["channel"],
            incident_id=row["incident_id"],
            severity=row["severity"],
            kind=row["kind"],
            payload=dict(row["payload"] or {}),
            attempts=int(row["attempts"]),
        )


def existing_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        found.update(
            conn.execute(
                select(outbox.c.idempotency_key).where(outbox.c.idempotency_key.in_(chunk))
            ).scalars()
        )
    return found


def insert_pending(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """New pending rows: idempotency_key, channel, incident_id, severity, kind, payload, not_before."""
    if not rows:
        return
    conn.execute(
        insert(outbox),
        [
            {
                "idempotency_key": r["idempotency_key"],
                "channel": r["channel"],
                "incident_id": r["incident_id"],
                "severity": r["severity"],
                "kind": r["kind"],
                "payload": r["payload"],
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": to_db(r["not_before"]),
                "created_at": to_db(r["created_at"]),
            }
            for r in rows
        ],
    )


def claim_due(conn: Connection, me: str, now: datetime, *, lease: timedelta, limit: int) -> list[OutboxRow]:
    """Claim up to ``limit`` due rows for ``me`` (oldest first); an expired lease is fair game."""
    due = (
        (outbox.c.status == "pending")
        & (outbox.c.next_attempt_at <= to_db(now))
        & or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < to_db(now))
    )
    ids = list(conn.execute(select(outbox.c.id).where(due).order_by(outbox.c.id).limit(limit)).scalars())
    if not ids:
        return []
    conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(ids), due)
        .values(claimed_by=me, claimed_until=to_db(now + lease))
    )
    rows = conn.execute(
        select(outbox).where(outbox.c.id.in_(ids), outbox.c.claimed_by == me).order_by(outbox.c.id)
    ).mappings()
    return [OutboxRow.from_mapping(r) for r in rows]


def insert_digest(
    conn: Connection,
    *,
    idempotency_key: str,
    channel: str,
    severity: str,
    payload: Mapping[str, Any],
    me: str,
    now: datetime,
    lease: timedelta,
) -> OutboxRow:
    """A digest row, already claimed by ``me`` so no other sender picks it up before we send it."""
    digest_id = conn.execute(
        insert(outbox)
        .values(
            idempotency_key=idempotency_key,
            channel=channel,
            incident_id=None,
            severity=severity,
            kind="digest",
            payload=dict(payload),
            status="pending",
            attempts=0,
            next_attempt_at=to_db(now),
            claimed_by=me,
            claimed_until=to_db(now + lease),
            created_at=to_db(now),
        )
        .returning(outbox.c.id)
    ).scalar_one()
    return OutboxRow.from_mapping(
        conn.execute(select(outbox).where(outbox.c.id == digest_id)).mappings().one()
    )


def mark_merged(conn: Connection, row_ids: Collection[int], me: str, digest_id: int) -> None:
    conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(row_ids), outbox.c.claimed_by == me)
        .values(
            status="merged", last_error=f"merged into digest {digest_id}", claimed_by=None, claimed_until=None
        )
    )


def finish(
    conn: Connection,
    row_id: int,
    me: str,
    *,
    status: str,
    attempts: int,
    error: str | None,
    next_attempt_at: datetime | None = None,
    sent_at: datetime | None = None,
) -> None:
    """Record a send's outcome and give the claim up."""
    values: dict[str, Any] = {
        "status": status,
        "attempts": attempts,
        "last_error": error,
        "claimed_by": None,
        "claimed_until": None,
    }
    if next_attempt_at is not None:
        values["next_attempt_at"] = to_db(next_attempt_at)
    if sent_at is not None:
        values["sent_at"] = to_db(sent_at)
    conn.execute(update(outbox).where(outbox.c.id == row_id, outbox.c.claimed_by == me).values(**values))


def release(conn: Connection, row_ids: Collection[int], me: str, next_attempt_at: datetime) -> None:
    """Give claimed rows back unsent, to be tried again at ``next_attempt_at``."""
    conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(row_ids), outbox.c.claimed_by == me)
        .values(claimed_by=None, claimed_until=None, next_attempt_at=to_db(next_attempt_at))
    )


def messages_of(conn: Connection, incident_id: int) -> list[RowMapping]:
    """Every outbox row of one incident (its timeline)."""
    return list(conn.execute(select(outbox).where(outbox.c.incident_id == incident_id)).mappings())


# --- channel_state ------------------------------------------------------------------------------------


def get_channel(conn: Connection, name: str) -> RowMapping | None:
    return conn.execute(select(channel_state).where(channel_state.c.name == name)).mappings().first()


def insert_channel(conn: Connection, name: str, now: datetime) -> None:
    """A fresh state row; raises IntegrityError when another daemon created it first."""
    conn.execute(insert(channel_state).values(name=name, sent_window=[], updated_at=to_db(now)))


def sent_window(conn: Connection, name: str, *, for_update: bool = False) -> list[datetime]:
    """The channel's recorded send times. ``for_update``: concurrent senders on PostgreSQL must not
    lose each other's send times between this read and ``set_sent_window``."""
    query = select(channel_state.c.sent_window).where(channel_state.c.name == name)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return [datetime.fromisoformat(t) for t in (row[0] if row else []) or []]


def set_sent_window(conn: Connection, name: str, window: Sequence[datetime], now: datetime) -> None:
    conn.execute(
        update(channel_state)
        .where(channel_state.c.name == name)
        .values(sent_window=[t.isoformat() for t in window], updated_at=to_db(now))
    )


def disable_channel(conn: Connection, name: str, reason: str, now: datetime) -> None:
    conn.execute(
        update(channel_state)
        .where(channel_state.c.name == name)
        .values(disabled_at=to_db(now), disabled_reason=reason, updated_at=to_db(now))
    )


def enable_channel(conn: Connection, name: str, now: datetime) -> bool:
    """Clear a disabled mark; False when the channel was not disabled."""
    changed = conn.execute(
        update(channel_state)
        .where(channel_state.c.name == name, channel_state.c.disabled_at.is_not(None))
        .values(disabled_at=None, disabled_reason=None, updated_at=to_db(now))
    ).rowcount
    return bool(changed)


def channel_states(conn: Connection) -> list[dict[str, Any]]:
    """Every channel's state, by name, ``disabled_at`` as aware UTC."""
    rows = conn.execute(select(channel_state).order_by(channel_state.c.name)).mappings()
    return [{**dict(r), "disabled_at": as_utc(r["disabled_at"])} for r in rows]
