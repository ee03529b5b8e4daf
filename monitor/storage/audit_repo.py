"""The compliance log's tables: entries (``audit_log``: writer lock, chain head, inserts, streamed and
filtered reads, the purge delete) and signed checkpoints (``audit_checkpoints``). Every SQL statement on
the two is here; ``monitor.audit`` owns the chain arithmetic, canonical JSON, signing, masking and the
transaction boundaries, and calls these with the Connection of the transaction it opened.

Fork-freedom: the head is read and the next entries inserted in one transaction that holds the writer
lock (``lock_log``): ``pg_advisory_xact_lock`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite (set up by
``monitor.storage.engine``). Even if a caller forgets the lock, ``seq`` is the primary key and
``entry_hash`` is UNIQUE, so a second writer on the same head fails instead of forking the chain.

``data`` is stored as the caller's canonical JSON text, bound verbatim (a dict would be re-serialised by
the driver with its own spacing), and read back as text by ``stream_rows`` so verification hashes it
without a parse.

The SQLite fast path (``LogWriter`` inside an active transaction): the head read and the insert run
straight on the driver connection, because the two SQLAlchemy Core executes cost more than the SQL
itself (measured ~0.2 ms of a ~0.45 ms append; the raw statements take ~0.03 ms). They run on the same
DBAPI connection, inside the transaction SQLAlchemy already began, so atomicity with the caller's change
is unchanged. Values are stored exactly as SQLAlchemy's SQLite dialect stores them (times as
``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text), so reads through Core are unaffected; a test pins that.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text, bindparam, cast, delete, func, or_, select, text, type_coerce
from sqlalchemy.engine import Connection, CursorResult, RowMapping
from sqlalchemy.exc import IntegrityError

from monitor.errors import StorageError
from monitor.storage.locks import lock_key
from monitor.storage.schema import audit_checkpoints, audit_log
from monitor.storage.times import as_utc_required, to_db

# The same key as ``monitor.storage.locks.xact_lock(conn, "audit_log")``, so any code taking that
# named lock excludes log writers too.
PG_LOCK_KEY = lock_key("audit_log")
# SQLAlchemy's SQLite DATETIME text, which the fast path writes and ``stream_rows`` hands back on SQLite.
SQLITE_TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

# Built once: constructing and cache-keying statements per append cost more than the SQL itself.
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_HEAD = select(audit_log.c.seq, audit_log.c.entry_hash).order_by(audit_log.c.seq.desc()).limit(1)
# Bind the canonical text itself. PostgreSQL needs an explicit text -> json cast; SQLite must not get
# one (CAST AS JSON there means NUMERIC affinity and turns the text into 0).
_DATA_TEXT = type_coerce(bindparam("data_text"), Text)
_INSERT = audit_log.insert().values(data=_DATA_TEXT)
_INSERT_PG = audit_log.insert().values(data=cast(_DATA_TEXT, JSON))

_STREAM_COLUMNS = (
    audit_log.c.seq,
    audit_log.c.ts,
    audit_log.c.actor,
    audit_log.c.kind,
    audit_log.c.subject,
    # PostgreSQL's json type keeps the input text verbatim (jsonb would not), so json::text round-trips.
    cast(audit_log.c.data, Text).label("data_text"),
    audit_log.c.prev_hash,
    audit_log.c.entry_hash,
)
# On SQLite the time as its stored text: slicing that is several times cheaper than a datetime per row.
_STREAM_COLUMNS_SQLITE = (
    _STREAM_COLUMNS[0],
    cast(audit_log.c.ts, Text).label("ts_text"),
    *_STREAM_COLUMNS[2:],
)

_HEAD_SQL = "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1"
_INSERT_SQL = (
    "INSERT INTO audit_log (seq, ts, actor, kind, subject, data, prev_hash, entry_hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """A row of ``audit_log`` as stored: ``ts`` aware UTC, ``data`` parsed."""

    seq: int
    ts: datetime
    actor: str
    kind: str
    subject: str
    data: dict[str, Any]
    prev_hash: str
    entry_hash: str

    @classmethod
    def from_mapping(cls, row: RowMapping) -> StoredEntry:
        data = row["data"]
        return cls(
            seq=int(row["seq"]),
            ts=as_utc_required(row["ts"]),
            actor=row["actor"],
            kind=row["kind"],
            subject=row["subject"],
            # drivers hand back a dict (JSON type) or, for hand-made rows, the text
            data=data if isinstance(data, dict) else json.loads(str(data)),
            prev_hash=row["prev_hash"],
            entry_hash=row["entry_hash"],
        )


# --- writing ----------------------------------------------------------------------------------------


def lock_log(conn: Connection) -> None:
    """Serialise log writers for the rest of the caller's transaction (PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already did). Append late in a transaction so the lock is held briefly."""
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK, {"key": PG_LOCK_KEY})


def driver_connection(conn: Connection) -> sqlite3.Connection | None:
    """The sqlite3 connection when ``conn`` is SQLite inside an active transaction (the fast path)."""
    if conn.dialect.name != "sqlite" or not conn.in_transaction():
        return None
    # dbapi_connection: for pysqlite the same object as driver_connection, at a third of the cost
    raw: Any = conn.connection.dbapi_connection
    return raw if isinstance(raw, sqlite3.Connection) else None


class LogWriter:
    """Appending to ``audit_log`` in the caller's transaction: making one takes the writer lock
    (``lock_log``) and chooses once between the SQLite fast path and Core; then one ``read_head`` and
    one ``insert`` however many entries follow the head."""

    __slots__ = ("_conn", "_raw")

    def __init__(self, conn: Connection) -> None:
        lock_log(conn)
        self._conn = conn
        self._raw = driver_connection(conn)

    def read_head(self) -> tuple[int, str] | None:
        """(seq, entry_hash) of the newest stored entry; None when the table is empty."""
        raw = self._raw
        row = _run(raw, _HEAD_SQL, ()).fetchone() if raw is not None else self._conn.execute(_HEAD).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """One multi-row insert. Each row: ``seq``, ``ts`` (UTC datetime), ``actor``, ``kind``,
        ``subject``, ``data_text`` (canonical JSON, stored verbatim), ``prev_hash``, ``entry_hash``."""
        raw = self._raw
        if raw is not None:
            params = [
                (
                    r["seq"],
                    r["ts"].strftime(SQLITE_TS_FORMAT),
                    r["actor"],
                    r["kind"],
                    r["subject"],
                    r["data_text"],
                    r["prev_hash"],
                    r["entry_hash"],
                )
                for r in rows
            ]
            _run_many(raw, _INSERT_SQL, params)
        else:
            conn = self._conn
            conn.execute(_INSERT_PG if conn.dialect.name == "postgresql" else _INSERT, rows)


def delete_through(conn: Connection, seq: int) -> int:
    """Delete every entry up to and including ``seq`` (a purge); returns how many went."""
    return conn.execute(delete(audit_log).where(audit_log.c.seq <= seq)).rowcount


# --- reading ----------------------------------------------------------------------------------------


def stream_rows(
    conn: Connection, *, after_seq: int = 0, until_seq: int | None = None, batch: int = 10_000
) -> CursorResult[int, Any, str, str, str, str, str, str]:
    """Rows ``(seq, ts, actor, kind, subject, data_text, prev_hash, entry_hash)`` in seq order, streamed
    (server-side cursor on PostgreSQL). ``ts`` is a datetime on PostgreSQL and the stored text
    (``SQLITE_TS_FORMAT``) on SQLite. The caller iterates and closes the result (close it early when it
    stops early, so the server-side cursor goes at once)."""
    columns = _STREAM_COLUMNS_SQLITE if conn.dialect.name == "sqlite" else _STREAM_COLUMNS
    query = select(*columns).where(audit_log.c.seq > after_seq).order_by(audit_log.c.seq)
    if until_seq is not None:
        query = query.where(audit_log.c.seq <= until_seq)
    # per statement: Connection.execution_options() would switch the whole connection to streaming
    return conn.execute(query.execution_options(yield_per=batch))


def iter_seq_ts_kind(conn: Connection, *, after_seq: int) -> Generator[tuple[int, datetime, str], None, None]:
    """``(seq, ts, kind)`` after ``after_seq`` in seq order (what retention decides on). Close the
    iterator when done early: that closes the cursor."""
    result = conn.execute(
        select(audit_log.c.seq, audit_log.c.ts, audit_log.c.kind)
        .where(audit_log.c.seq > after_seq)
        .order_by(audit_log.c.seq)
    )
    try:
        for seq, ts, kind in result:
            yield int(seq), as_utc_required(ts), kind
    finally:
        result.close()


def seq_range(
    conn: Connection, *, since: datetime | None = None, until: datetime | None = None
) -> tuple[int, int] | None:
    """(lowest, highest) seq of the entries with ``since <= ts < until``; None when there are none."""
    query = select(func.min(audit_log.c.seq), func.max(audit_log.c.seq))
    if since is not None:
        query = query.where(audit_log.c.ts >= to_db(since))
    if until is not None:
        query = query.where(audit_log.c.ts < to_db(until))
    low, high = conn.execute(query).one()
    return None if low is None else (int(low), int(high))


def count_entries(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def list_entries(
    conn: Connection,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    kind_family: str | None = None,
    limit: int = 1000,
) -> list[StoredEntry]:
    """Oldest first; ``since`` inclusive, ``until`` exclusive. ``kind_family`` ``incident`` matches
    ``incident`` and every ``incident.<something>``."""
    query = select(audit_log).order_by(audit_log.c.seq).limit(limit)
    if since is not None:
        query = query.where(audit_log.c.ts >= to_db(since))
    if until is not None:
        query = query.where(audit_log.c.ts < to_db(until))
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if kind_family is not None:
        family = or_(
            audit_log.c.kind == kind_family, audit_log.c.kind.startswith(kind_family + ".", autoescape=True)
        )
        query = query.where(family)
    return [StoredEntry.from_mapping(row) for row in conn.execute(query).mappings()]


def entries_by_subject(conn: Connection, subject: str) -> list[StoredEntry]:
    """Every entry about one subject (e.g. ``incident:<id>`` for an incident's timeline), oldest first."""
    query = select(audit_log).where(audit_log.c.subject == subject).order_by(audit_log.c.seq)
    return [StoredEntry.from_mapping(row) for row in conn.execute(query).mappings()]


# --- checkpoints ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A row of ``audit_checkpoints``; ``ts`` aware UTC. The signature is checked by ``monitor.audit``."""

    id: int
    kind: str  # periodic | manual | purge
    seq: int
    entry_hash: str
    count: int
    ts: datetime
    key_id: str
    algorithm: str
    signature: str

    @classmethod
    def from_mapping(cls, row: RowMapping) -> StoredCheckpoint:
        return cls(
            id=int(row["id"]),
            kind=row["kind"],
            seq=int(row["seq"]),
            entry_hash=row["entry_hash"],
            count=int(row["count"]),
            ts=as_utc_required(row["ts"]),
            key_id=row["key_id"],
            algorithm=row["algorithm"],
            signature=row["signature"],
        )


def insert_checkpoint(
    conn: Connection,
    *,
    kind: str,
    seq: int,
    entry_hash: str,
    count: int,
    ts: datetime,
    key_id: str,
    algorithm: str,
    signature: str,
) -> int | None:
    """Store a signed checkpoint; returns its id."""
    result = conn.execute(
        audit_checkpoints.insert().values(
            seq=seq,
            entry_hash=entry_hash,
            count=count,
            ts=to_db(ts),
            key_id=key_id,
            algorithm=algorithm,
            signature=signature,
            kind=kind,
        )
    )
    return result.inserted_primary_key[0] if result.inserted_primary_key else None


def latest_purge(conn: Connection) -> StoredCheckpoint | None:
    """The purge checkpoint with the highest seq (the newest cut), if any."""
    row = (
        conn.execute(
            select(audit_checkpoints)
            .where(audit_checkpoints.c.kind == "purge")
            .order_by(audit_checkpoints.c.seq.desc(), audit_checkpoints.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else StoredCheckpoint.from_mapping(row)


def newest_checkpoint(conn: Connection) -> tuple[int, datetime] | None:
    """(seq, ts) of the checkpoint with the highest seq, any kind."""
    row = conn.execute(
        select(audit_checkpoints.c.seq, audit_checkpoints.c.ts)
        .order_by(audit_checkpoints.c.seq.desc(), audit_checkpoints.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), as_utc_required(row[1]))


def list_checkpoints(conn: Connection) -> list[StoredCheckpoint]:
    """Every checkpoint, in the order written."""
    rows = conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.id)).mappings()
    return [StoredCheckpoint.from_mapping(row) for row in rows]


# --- the SQLite fast path's driver calls --------------------------------------------------------------


def _run(raw: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
    # Mirror what the engine does for Core statements: integrity errors stay SQLAlchemy's
    # IntegrityError (a would-be fork), operational ones become one-line StorageErrors.
    try:
        return raw.execute(sql, params)
    except sqlite3.IntegrityError as error:
        raise IntegrityError(sql, params, error) from error
    except sqlite3.OperationalError as error:
        raise StorageError(f"database: {error}") from error


def _run_many(raw: sqlite3.Connection, sql: str, params: list[tuple[Any, ...]]) -> None:
    try:
        raw.executemany(sql, params)
    except sqlite3.IntegrityError as error:
        raise IntegrityError(sql, params, error) from error
    except sqlite3.OperationalError as error:
        raise StorageError(f"database: {error}") from error
