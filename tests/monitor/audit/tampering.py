"""The tamper cases of issues 6 and 11, applied to a real database, shared by SQLite and PostgreSQL tests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, select, update

from monitor.audit.canonical import GENESIS_HASH, entry_hash, format_ts
from monitor.audit.signing import AuditKey
from monitor.audit.store import append, iter_rows, write_checkpoint
from monitor.storage.schema import audit_checkpoints, audit_log
from tests.monitor.audit.helpers import T0


def change_field(engine: Engine, seq: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == seq).values(actor="mallory"))


def delete_row(engine: Engine, seq: int) -> None:
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == seq))


def swap_rows(engine: Engine, a: int, b: int) -> None:
    """Swap everything but the seq primary key."""
    cols = [c for c in audit_log.c if c.name != "seq"]
    with engine.begin() as conn:
        row_a = conn.execute(select(*cols).where(audit_log.c.seq == a)).one()._asdict()
        row_b = conn.execute(select(*cols).where(audit_log.c.seq == b)).one()._asdict()
        # entry_hash is UNIQUE: park one value first
        conn.execute(update(audit_log).where(audit_log.c.seq == a).values(entry_hash="x" * 64))
        conn.execute(update(audit_log).where(audit_log.c.seq == b).values(**row_a))
        conn.execute(update(audit_log).where(audit_log.c.seq == a).values(**row_b))


def truncate_tail(engine: Engine, keep: int) -> None:
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq > keep))


def rewrite_with_recomputed_chain(engine: Engine, changed_seq: int) -> None:
    """What an insider with database access but without the key would do: edit, then re-hash all."""
    with engine.connect() as conn:
        rows = list(iter_rows(conn))
    prev = GENESIS_HASH
    with engine.begin() as conn:
        conn.execute(update(audit_log).values(entry_hash=audit_log.c.seq.cast(audit_log.c.entry_hash.type)))
        for seq, ts, actor, kind, subject, data_text, _prev, _hash in rows:
            if seq == changed_seq:
                actor = "someone-else"
                ts = format_ts(T0 - timedelta(days=1))
            digest = entry_hash(
                seq=seq, ts=ts, actor=actor, kind=kind, subject=subject, data_text=data_text, prev_hash=prev
            )
            values = {"actor": actor, "prev_hash": prev, "entry_hash": digest}
            if seq == changed_seq:
                values["ts"] = T0 - timedelta(days=1)
            conn.execute(update(audit_log).where(audit_log.c.seq == seq).values(**values))
            prev = digest


def forge_checkpoint_count(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(audit_checkpoints).values(seq=audit_checkpoints.c.seq - 1))


# --- issue 11: the insider who also handles checkpoints and anchors ------------------------------------


def delete_checkpoints(engine: Engine, *, from_seq: int = 0) -> None:
    """Delete the checkpoints at or after ``from_seq`` (all of them by default)."""
    with engine.begin() as conn:
        conn.execute(delete(audit_checkpoints).where(audit_checkpoints.c.seq >= from_seq))


def delete_tail_with_checkpoint(engine: Engine, keep: int) -> None:
    truncate_tail(engine, keep)
    delete_checkpoints(engine, from_seq=keep + 1)


def append_forged(engine: Engine, ts: datetime) -> None:
    """A forged entry with a valid hash after the head, dated ``ts`` (an alibi is usually backdated):
    the forger uses our own append code, which any database writer can."""
    with engine.begin() as conn:
        append(conn, actor="ops", kind="check", subject="draft", data={"forged": True}, now=ts)


def edit_checkpoint_hash(engine: Engine, seq: int, new_hash: str) -> None:
    with engine.begin() as conn:
        query = update(audit_checkpoints).where(audit_checkpoints.c.seq == seq)
        conn.execute(query.values(entry_hash=new_hash))


def resign_with(engine: Engine, key: AuditKey, seqs: list[int]) -> None:
    """Replace every checkpoint by ones signed with ``key`` over the current (rewritten) chain."""
    delete_checkpoints(engine)
    with engine.begin() as conn:
        for seq in seqs:
            digest = conn.execute(select(audit_log.c.entry_hash).where(audit_log.c.seq == seq)).scalar_one()
            write_checkpoint(conn, key, kind="periodic", seq=seq, entry_hash=digest, now=T0)


def remove_anchor_line(path: Path, number: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    del lines[number - 1]
    path.write_text("".join(lines), encoding="utf-8")


def edit_anchor_line(path: Path, number: int, new_hash: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    obj = json.loads(lines[number - 1])
    obj["checkpoint"]["entry_hash"] = new_hash
    lines[number - 1] = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
