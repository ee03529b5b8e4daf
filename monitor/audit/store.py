"""The compliance log's chain, on top of ``monitor.storage.audit_repo``: append inside the caller's
transaction, read, checkpoint.

This module does the chain arithmetic (next seq, ``prev_hash``, ``entry_hash``), decides when a
checkpoint is due and signs it; every SQL statement lives in the repository. Fork-freedom (one head read
and the inserts under the log's writer lock, in one transaction) is described there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from monitor.audit.canonical import GENESIS_HASH, entry_hash, format_ts, normalise_data
from monitor.audit.chain import Row
from monitor.audit.entry import AuditEntry
from monitor.audit.signing import AuditKey, Checkpoint, load_key, make_checkpoint
from monitor.storage import audit_repo
from monitor.storage.audit_repo import StoredCheckpoint
from monitor.storage.times import as_utc_required, to_db

__all__ = [
    "CHECKPOINT_EVERY",
    "PreparedEntry",
    "append",
    "append_prepared",
    "checkpoint_head",
    "checkpoint_if_due",
    "iter_rows",
    "latest_purge",
    "load_checkpoints",
    "prepare",
    "write_checkpoint",
]

CHECKPOINT_EVERY = 1000


def _sqlite_ts(raw: str) -> str:
    # SQLite hands the time back as its stored text (audit_repo.SQLITE_TS_FORMAT): slicing it into the
    # canonical form is several times cheaper than parsing a datetime per row (verify speed).
    if len(raw) == 26 and raw[10] == " ":
        return raw[:10] + "T" + raw[11:] + "Z"
    return format_ts(as_utc_required(datetime.fromisoformat(raw)))


def latest_purge(conn: Connection) -> Checkpoint | None:
    stored = audit_repo.latest_purge(conn)
    return None if stored is None else _checkpoint(stored)


def _start_of_empty_log(conn: Connection) -> tuple[int, str]:
    """(first seq, its prev_hash) when no entry is stored: after a full purge the purge checkpoint
    carries the chain on, else the chain starts at genesis."""
    purge = audit_repo.latest_purge(conn)
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
    return PreparedEntry(
        actor=actor, kind=kind, subject=subject, ts=to_db(now), data=data_obj, data_text=data_text
    )


def append(
    conn: Connection,
    *,
    actor: str,
    kind: str,
    subject: str,
    data: Mapping[str, Any],
    now: datetime,
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
    log = audit_repo.LogWriter(conn)  # the writer lock, held to the end of the caller's transaction
    head = log.read_head()
    seq, prev_hash = (head[0] + 1, head[1]) if head is not None else _start_of_empty_log(conn)
    entries: list[AuditEntry] = []
    rows: list[dict[str, Any]] = []
    for item in prepared:
        digest = entry_hash(
            seq=seq,
            ts=format_ts(item.ts),
            actor=item.actor,
            kind=item.kind,
            subject=item.subject,
            data_text=item.data_text,
            prev_hash=prev_hash,
        )
        rows.append(
            {
                "seq": seq,
                "ts": item.ts,
                "actor": item.actor,
                "kind": item.kind,
                "subject": item.subject,
                "data_text": item.data_text,
                "prev_hash": prev_hash,
                "entry_hash": digest,
            }
        )
        entries.append(
            AuditEntry(
                seq=seq,
                ts=item.ts,
                actor=item.actor,
                kind=item.kind,
                subject=item.subject,
                data=item.data,
                prev_hash=prev_hash,
                entry_hash=digest,
            )
        )
        seq, prev_hash = seq + 1, digest
    log.insert(rows)
    for entry in entries:
        if entry.seq % CHECKPOINT_EVERY == 0:
            key = key or load_key()
            if key is not None:
                write_checkpoint(
                    conn, key, kind="periodic", seq=entry.seq, entry_hash=entry.entry_hash, now=entry.ts
                )
    return entries


def write_checkpoint(
    conn: Connection, key: AuditKey, *, kind: str, seq: int, entry_hash: str, now: datetime
) -> Checkpoint:
    """Sign the state at ``seq``; ``count`` is the number of entries retained since the last purge."""
    purge = audit_repo.latest_purge(conn)
    base = purge.seq if purge is not None else 0
    checkpoint = make_checkpoint(
        key, kind=kind, seq=seq, entry_hash=entry_hash, count=seq - base, ts=to_db(now)
    )
    new_id = audit_repo.insert_checkpoint(
        conn,
        kind=checkpoint.kind,
        seq=checkpoint.seq,
        entry_hash=checkpoint.entry_hash,
        count=checkpoint.count,
        ts=checkpoint.ts,
        key_id=checkpoint.key_id,
        algorithm=checkpoint.algorithm,
        signature=checkpoint.signature,
    )
    return Checkpoint(**{**_fields(checkpoint), "id": new_id})


def checkpoint_head(conn: Connection, key: AuditKey, *, now: datetime) -> Checkpoint | None:
    """Sign the current head (``brandguard audit checkpoint``); None when the log is empty."""
    head = audit_repo.LogWriter(conn).read_head()
    if head is None:
        return None
    return write_checkpoint(conn, key, kind="manual", seq=head[0], entry_hash=head[1], now=now)


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
        head = audit_repo.LogWriter(conn).read_head()
        newest = audit_repo.newest_checkpoint(conn)
        if head is None or (newest is not None and newest[0] >= head[0]):
            return None
        if newest is not None and newest[1] > now - max_age:
            return None
        return write_checkpoint(conn, key, kind="manual", seq=head[0], entry_hash=head[1], now=now)


def load_checkpoints(conn: Connection) -> list[Checkpoint]:
    return [_checkpoint(stored) for stored in audit_repo.list_checkpoints(conn)]


def iter_rows(
    conn: Connection, *, after_seq: int = 0, until_seq: int | None = None, batch: int = 10_000
) -> Iterator[Row]:
    """Stored rows in seq order, streamed (server-side cursor on PostgreSQL), ts as canonical text."""
    sqlite = conn.dialect.name == "sqlite"
    result = audit_repo.stream_rows(conn, after_seq=after_seq, until_seq=until_seq, batch=batch)
    try:
        for seq, ts, actor, kind, subject, data_text, prev_hash, digest in result:
            ts_text = _sqlite_ts(ts) if sqlite else format_ts(as_utc_required(ts))
            yield (seq, ts_text, actor, kind, subject, data_text, prev_hash, digest)
    finally:
        # verification stops at the first bad entry; close the server-side cursor right away
        result.close()


def _checkpoint(stored: StoredCheckpoint) -> Checkpoint:
    return Checkpoint(
        kind=stored.kind,
        seq=stored.seq,
        entry_hash=stored.entry_hash,
        count=stored.count,
        ts=stored.ts,
        key_id=stored.key_id,
        algorithm=stored.algorithm,
        signature=stored.signature,
        id=stored.id,
    )


def _fields(checkpoint: Checkpoint) -> dict[str, Any]:
    return {name: getattr(checkpoint, name) for name in Checkpoint.__slots__}
