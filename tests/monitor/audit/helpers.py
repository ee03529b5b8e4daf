"""Builders shared by the audit tests: an in-memory chain and a seeded database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from monitor.audit.canonical import GENESIS_HASH, canonical_json, entry_hash, format_ts
from monitor.audit.chain import Row
from monitor.audit.signing import AuditKey
from monitor.audit.store import append

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
KEY = AuditKey(key_id="test-key", secret=b"0123456789abcdef0123456789abcdef")
OTHER_KEY = AuditKey(key_id="test-key", secret=b"not-the-real-key-not-the-real-ke")


def make_row(seq: int, prev_hash: str, *, kind: str = "incident.ack", actor: str = "王五", i: int = 0) -> Row:
    ts = format_ts(T0 + timedelta(minutes=seq))
    data_text = canonical_json({"i": i or seq, "备注": "处理中"})
    digest = entry_hash(
        seq=seq,
        ts=ts,
        actor=actor,
        kind=kind,
        subject=f"incident {seq}",
        data_text=data_text,
        prev_hash=prev_hash,
    )
    return (seq, ts, actor, kind, f"incident {seq}", data_text, prev_hash, digest)


def make_chain(count: int, *, start_seq: int = 1, prev_hash: str = GENESIS_HASH) -> list[Row]:
    rows: list[Row] = []
    for seq in range(start_seq, start_seq + count):
        rows.append(make_row(seq, prev_hash))
        prev_hash = rows[-1][7]
    return rows


def seed(
    engine: Engine,
    count: int,
    *,
    start: datetime = T0,
    step: timedelta = timedelta(minutes=1),
    kind: str = "incident.ack",
    key: AuditKey | None = None,
) -> None:
    with engine.begin() as conn:
        for i in range(count):
            append(
                conn,
                actor="ops",
                kind=kind,
                subject=f"incident {i}",
                data={"i": i, "phone": "138****5678"},
                now=start + i * step,
                key=key,
            )
