"""Benchmark the compliance log: appends per second on SQLite, and verifying a large log.

    .venv/bin/python bench/audit.py                      # SQLite in a temp dir, 1,000,000 entries verified
    .venv/bin/python bench/audit.py --verify-entries 100000 --url postgresql://postgres@127.0.0.1/DB

Appends are measured honestly, one transaction per append (the real case: each entry commits with
the change it records), and batched (many appends in one transaction) for comparison. The large log
for verification is bulk-loaded with a correctly chained sequence of entries (appending a million
entries one transaction at a time would only measure the loader).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from monitor import audit
from monitor.audit.canonical import GENESIS_HASH, canonical_json, entry_hash, format_ts
from monitor.audit.signing import KEY_ENV, load_key
from monitor.audit.store import write_checkpoint
from monitor.audit.verify import verify_database
from monitor.storage.audit_repo import _INSERT, _INSERT_PG
from monitor.storage.engine import open_database
from monitor.storage.schema import audit_log

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DATA = {
    "incident": 1234,
    "from": "open",
    "to": "acknowledged",
    "respond_by": "2026-01-01T04:00:00.000000Z",
    "note_sha256": "ab" * 32,
}


def bench_appends(engine: Engine, count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        with engine.begin() as conn:
            audit.append(
                conn,
                actor="bench",
                kind="incident.ack",
                subject=f"incident {i}",
                data=DATA,
                now=T0 + timedelta(milliseconds=i),
            )
    return count / (time.perf_counter() - start)


def bench_batched(engine: Engine, count: int, batch: int) -> float:
    start = time.perf_counter()
    for offset in range(0, count, batch):
        with engine.begin() as conn:
            for i in range(offset, min(count, offset + batch)):
                audit.append(
                    conn,
                    actor="bench",
                    kind="notify.sent",
                    subject=f"n {i}",
                    data=DATA,
                    now=T0 + timedelta(milliseconds=i),
                )
    return count / (time.perf_counter() - start)


def bulk_load(engine: Engine, count: int) -> None:
    with engine.begin() as conn:
        conn.execute(audit_log.delete())
        conn.execute(text("DELETE FROM audit_checkpoints"))
    data_text = canonical_json(DATA)
    prev = GENESIS_HASH
    batch: list[dict[str, object]] = []
    key = load_key()
    for seq in range(1, count + 1):
        ts = T0 + timedelta(milliseconds=seq)
        digest = entry_hash(
            seq=seq,
            ts=format_ts(ts),
            actor="bench",
            kind="incident.ack",
            subject=f"i {seq}",
            data_text=data_text,
            prev_hash=prev,
        )
        batch.append(
            {
                "seq": seq,
                "ts": ts,
                "actor": "bench",
                "kind": "incident.ack",
                "subject": f"i {seq}",
                "data_text": data_text,
                "prev_hash": prev,
                "entry_hash": digest,
            }
        )
        prev = digest
        if len(batch) == 50_000 or seq == count:
            with engine.begin() as conn:
                # the data column holds canonical JSON text, exactly as monitor.audit.store writes it
                conn.execute(_INSERT_PG if conn.dialect.name == "postgresql" else _INSERT, batch)
                for row in batch:
                    if key is not None and int(row["seq"]) % 1000 == 0:  # type: ignore[call-overload]
                        write_checkpoint(
                            conn,
                            key,
                            kind="periodic",
                            seq=int(row["seq"]),  # type: ignore[call-overload]
                            entry_hash=str(row["entry_hash"]),
                            now=ts,
                        )
            batch.clear()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file in a temp dir)")
    parser.add_argument("--appends", type=int, default=3000)
    parser.add_argument("--verify-entries", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault(KEY_ENV, "bench-key-0123456789")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = open_database(url)
        with engine.begin() as conn:
            conn.execute(audit_log.delete())
            conn.execute(text("DELETE FROM audit_checkpoints"))
        print(f"database: {engine.url.render_as_string(hide_password=True)}")
        print(
            f"appends, one transaction each: {bench_appends(engine, args.appends):,.0f}/s ({args.appends:,})"
        )
        print(
            f"appends, 500 per transaction:   {bench_batched(engine, args.appends * 3, 500):,.0f}/s "
            f"({args.appends * 3:,})"
        )
        started = time.perf_counter()
        bulk_load(engine, args.verify_entries)
        print(f"bulk load {args.verify_entries:,} entries: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        report = verify_database(engine, load_key())
        elapsed = time.perf_counter() - started
        print(
            f"verify {report.entries:,} entries: {elapsed:.1f} s ({report.entries / elapsed:,.0f}/s) -> "
            f"{report.summary()}"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
