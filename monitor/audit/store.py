"""The storage edge of the compliance log: append inside the caller's transaction, read, checkpoint.

Fork-freedom: the chain head is read and the next entry inserted in one transaction that holds the
writer lock — ``pg_advisory_xact_lock`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite (set up by
``monitor.storage.engine``). Even if a caller forgets the lock, ``seq`` is the primary key and
``entry_hash`` is UNIQUE, so a second writer on the same head fails instead of forking the chain.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    RowMapping,
    Text,
    bindparam,
    cast,
    func,
    select,
    text,
    type_coerce,
)

from monitor.audit import sqlite_path
from monitor.audit.canonical import GENESIS_HASH, entry_hash, format_ts, normalise_data
from monitor.audit.chain import Row
from monitor.audit.entry import AuditEntry
from monitor.audit.signing import AuditKey, Checkpoint, load_key, make_checkpoint
from monitor.storage.locks import lock_key
from monitor.storage.schema import audit_checkpoints, audit_log
from monitor.storage.times import as_utc_required, to_db

# The same key as ``monitor.storage.locks.xact_lock(conn, "audit_log")``, so any code taking that
# named lock excludes log writers too.
PG_LOCK_KEY = lock_key("audit_log")
CHECKPOINT_EVERY = 1000

_ROW_COLUMNS = (
    audit_log.c.seq,
    audit_log.c.ts,
    audit_log.c.actor,
    audit_log.c.kind,
    audit_log.c.subject,
    # the stored text is canonical JSON; hashing it as text avoids a parse + dump per entry.
    # PostgreSQL's json type keeps the input text verbatim (jsonb would not), so json::text round-trips.
    cast(audit_log.c.data, Text).label("data_text"),
    audit_log.c.prev_hash,
    audit_log.c.entry_hash,
)

# Built once: constructing and cache-keying statements per append cost more than the SQL itself.
_HEAD = select(audit_log.c.seq, audit_log.c.entry_hash).order_by(audit_log.c.seq.desc()).limit(1)
# Bind the canonical text itself, not a dict the driver would re-serialise with its own spacing.
# PostgreSQL needs an explicit text -> json cast; SQLite must not get one (CAST AS JSON there means
# NUMERIC affinity and turns the text into 0).
_DATA_TEXT = type_coerce(bindparam("data_text"), Text)
_INSERT = audit_log.insert().values(data=_DATA_TEXT)
_INSERT_PG = audit_log.insert().values(data=cast(_DATA_TEXT, JSON))
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:key)")

# SQLite stores UTC times as "YYYY-MM-DD HH:MM:SS.ffffff" text; turning that into the canonical form
# with slicing is several times cheaper than parsing a datetime per row (verify speed).
_ROW_COLUMNS_SQLITE = (_ROW_COLUMNS[0], cast(audit_log.c.ts, Text).label("ts_text"), *_ROW_COLUMNS[2:])


def _sqlite_ts(raw: str) -> str:
    if len(raw) == 26 and raw[10] == " ":
        return raw[:10] + "T" + raw[11:] + "Z"
    return format_ts(as_utc_required(datetime.fromisoformat(raw)))


def lock_log(conn: Connection) -> None:
    """Serialise log writers for the rest of the caller's transaction.

    PostgreSQL: an advisory transaction lock (``monitor.storage.locks``), released at commit or
    rollback. Callers should append late in their transaction so the lock is held briefly.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK, {"key": PG_LOCK_KEY})


def latest_purge(conn: Connection) -> Checkpoint | None:
    row = conn.execute(
        select(audit_checkpoints)
        .where(audit_checkpoints.c.kind == "purge")
        .order_by(audit_checkpoints.c.seq.desc(), audit_checkpoints.c.id.desc())
        .limit(1)
    ).mappings().first()
    return None if row is None else _checkpoint(row)


def read_head(conn: Connection) -> tuple[int, str]:
    """(next seq, prev_hash for it). After a full purge the purge checkpoint carries the chain on."""
    row = conn.execute(_HEAD).first()
    if row is not None:
        return int(row[0]) + 1, str(row[1])
    purge = latest_purge(conn)
    if purge is not None:
        return purge.seq + 1, purge.entry_hash
    return 1, GENESIS_HASH


@dataclass(frozen=True, slots=True)
class PreparedEntry:
    """An entry with its canonical data text computed, waiting for a place in the chain.

    ``prepare`` is pure CPU and may run in the caller's thread; ``append_prepared`` then only needs the
    writer lock for the chain arithmetic and the insert (``GroupCommitWriter`` relies on this).
    """

    actor: str
    kind: str
    subject: str
    ts: datetime  # UTC
    data: dict[str, Any]
    data_text: str


def prepare(*, actor: str, kind: str, subject: str, data: Mapping[str, Any], now: datetime) -> PreparedEntry:
    if not kind:
        raise ValueError("audit kind must not be empty")
    data_obj, data_text = normalise_data(data)
    return PreparedEntry(actor=actor, kind=kind, subject=subject, ts=to_db(now), data=data_obj,
                         data_text=data_text)


def append(
    conn: Connection, *, actor: str, kind: str, subject: str, data: Mapping[str, Any], now: datetime,
    key: AuditKey | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the change)."""
    entry = prepare(actor=actor, kind=kind, subject=subject, data=data, now=now)
    return append_prepared(conn, [entry], key=key)[0]


def append_prepared(
    conn: Connection, prepared: Sequence[PreparedEntry], *, key: AuditKey | None = None
) -> list[AuditEntry]:
    """Chain and insert ``prepared`` in order, in the caller's transaction: one head read and one
    multi-row insert however many entries there are."""
    if not prepared:
        return []
    lock_log(conn)
    raw = sqlite_path.driver_connection(conn)
    head = sqlite_path.read_head(raw) if raw is not None else None
    seq, prev_hash = (head[0] + 1, head[1]) if head is not None else read_head(conn)
    entries: list[AuditEntry] = []
    rows: list[dict[str, Any]] = []
    for item in prepared:
        digest = entry_hash(
            seq=seq, ts=format_ts(item.ts), actor=item.actor, kind=item.kind, subject=item.subject,
            data_text=item.data_text, prev_hash=prev_hash,
        )
        rows.append({"seq": seq, "ts": item.ts, "actor": item.actor, "kind": item.kind,
                     "subject": item.subject, "data_text": item.data_text, "prev_hash": prev_hash,
                     "entry_hash": digest})
        entries.append(AuditEntry(seq=seq, ts=item.ts, actor=item.actor, kind=item.kind, subject=item.subject,
                                  data=item.data, prev_hash=prev_hash, entry_hash=digest))
        seq, prev_hash = seq + 1, digest
    if raw is not None:
        sqlite_path.insert_many(raw, rows)
    else:
        conn.execute(_INSERT_PG if conn.dialect.name == "postgresql" else _INSERT, rows)
    for entry in entries:
        if entry.seq % CHECKPOINT_EVERY == 0:
            key = key or load_key()
            if key is not None:
                write_checkpoint(conn, key, kind="periodic", seq=entry.seq, entry_hash=entry.entry_hash,
                                 now=entry.ts)
    return entries


def write_checkpoint(
    conn: Connection, key: AuditKey, *, kind: str, seq: int, entry_hash: str, now: datetime
) -> Checkpoint:
    """Sign the state at ``seq``; ``count`` is the number of entries retained since the last purge."""
    purge = latest_purge(conn)
    base = purge.seq if purge is not None else 0
    checkpoint = make_checkpoint(
        key, kind=kind, seq=seq, entry_hash=entry_hash, count=seq - base, ts=to_db(now)
    )
    result = conn.execute(
        audit_checkpoints.insert().values(
            seq=checkpoint.seq, entry_hash=checkpoint.entry_hash, count=checkpoint.count,
            ts=checkpoint.ts, key_id=checkpoint.key_id, algorithm=checkpoint.algorithm,
            signature=checkpoint.signature, kind=checkpoint.kind,
        )
    )
    new_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    return Checkpoint(**{**_fields(checkpoint), "id": new_id})


def checkpoint_head(conn: Connection, key: AuditKey, *, now: datetime) -> Checkpoint | None:
    """Sign the current head (``brandguard audit checkpoint``); None when the log is empty."""
    lock_log(conn)
    row = conn.execute(_HEAD).first()
    if row is None:
        return None
    return write_checkpoint(conn, key, kind="manual", seq=int(row[0]), entry_hash=str(row[1]), now=now)


def checkpoint_if_due(
    engine: Engine, *, now: datetime, max_age: timedelta = timedelta(hours=1), key: AuditKey | None = None
) -> Checkpoint | None:
    """For a periodic scheduler tick: sign the head when entries are newer than the newest checkpoint
    and that checkpoint is older than ``max_age``. Bounds how much of the tail a truncation could remove
    unnoticed (periodic checkpoints alone leave up to CHECKPOINT_EVERY - 1 entries uncovered).
    Returns None when there is no key, nothing new, or the newest checkpoint is recent enough.
    """
    key = key or load_key()
    if key is None:
        return None
    with engine.begin() as conn:
        lock_log(conn)
        head = conn.execute(_HEAD).first()
        newest = conn.execute(
            select(audit_checkpoints.c.seq, audit_checkpoints.c.ts)
            .order_by(audit_checkpoints.c.seq.desc(), audit_checkpoints.c.id.desc())
            .limit(1)
        ).first()
        if head is None or (newest is not None and int(newest[0]) >= int(head[0])):
            return None
        if newest is not None and as_utc_required(newest[1]) > now - max_age:
            return None
        return write_checkpoint(conn, key, kind="manual", seq=int(head[0]), entry_hash=str(head[1]), now=now)


def load_checkpoints(conn: Connection) -> list[Checkpoint]:
    rows = conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.id)).mappings()
    return [_checkpoint(row) for row in rows]


def iter_rows(
    conn: Connection, *, after_seq: int = 0, until_seq: int | None = None, batch: int = 10_000
) -> Iterator[Row]:
    """Stored rows in seq order, streamed (server-side cursor on PostgreSQL), ts as canonical text."""
    sqlite = conn.dialect.name == "sqlite"
    columns = _ROW_COLUMNS_SQLITE if sqlite else _ROW_COLUMNS
    query = select(*columns).where(audit_log.c.seq > after_seq).order_by(audit_log.c.seq)
    if until_seq is not None:
        query = query.where(audit_log.c.seq <= until_seq)
    # per statement: Connection.execution_options() would switch the whole connection to streaming
    result = conn.execute(query.execution_options(yield_per=batch))
    try:
        for seq, ts, actor, kind, subject, data_text, prev_hash, digest in result:
            ts_text = _sqlite_ts(ts) if sqlite else format_ts(as_utc_required(ts))
            yield (seq, ts_text, actor, kind, subject, data_text, prev_hash, digest)
    finally:
        # verification stops at the first bad entry; close the server-side cursor right away
        result.close()


def count_entries(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def _checkpoint(row: RowMapping) -> Checkpoint:
    return Checkpoint(
        kind=row["kind"], seq=int(row["seq"]), entry_hash=row["entry_hash"], count=int(row["count"]),
        ts=as_utc_required(row["ts"]), key_id=row["key_id"], algorithm=row["algorithm"],
        signature=row["signature"], id=int(row["id"]),
    )


def _fields(checkpoint: Checkpoint) -> dict[str, Any]:
    return {name: getattr(checkpoint, name) for name in Checkpoint.__slots__}
