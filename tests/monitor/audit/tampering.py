"""The tamper cases of issue 6, applied to a real database, shared by SQLite and PostgreSQL tests."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, delete, select, update

from monitor.audit.canonical import GENESIS_HASH, entry_hash, format_ts
from monitor.audit.store import iter_rows
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
