"""The compliance log's repository: the SQLite fast path stores exactly what the Core path stores, and
each read returns what was written, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, exc, select

from monitor import audit
from monitor.audit.canonical import format_ts
from monitor.audit.signing import KEY_ENV, KEY_ID_ENV, load_key
from monitor.audit.verify import verify_database
from monitor.storage import audit_repo
from monitor.storage.schema import audit_log

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _audit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "0123456789abcdef0123456789abcdef")
    monkeypatch.setenv(KEY_ID_ENV, "test-key")


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    from monitor.storage.engine import open_database

    engine = open_database(sqlite_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _row(seq: int, prev_hash: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "seq": seq,
        "ts": T0 + timedelta(seconds=seq, microseconds=7),
        "actor": "王五",
        "kind": "incident.ack",
        "subject": f"incident:{seq % 2}",
        "data_text": '{"i":' + str(seq) + ',"备注":"处理中"}',
        "prev_hash": prev_hash,
        "entry_hash": f"{seq:064x}",
    }
    row.update(overrides)
    return row


# --- the SQLite fast path (moved here from tests/monitor/audit/test_sqlite_path.py) -------------------


def test_fast_and_core_paths_store_identical_representations(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert audit_repo.driver_connection(conn) is None  # no transaction yet: Core path (autobegin)
        core = audit.append(conn, actor="a", kind="k", subject="s", data={"x": "值"}, now=T0)
        conn.commit()
    with sqlite_engine.begin() as conn:
        assert audit_repo.driver_connection(conn) is not None
        fast = audit.append(
            conn, actor="a", kind="k", subject="s", data={"x": "值"}, now=T0 + timedelta(microseconds=1)
        )
    with sqlite_engine.connect() as conn:
        raw = conn.exec_driver_sql(
            "SELECT seq, ts, typeof(ts), data, typeof(data) FROM audit_log ORDER BY seq"
        ).all()
        typed = conn.execute(select(audit_log.c.ts, audit_log.c.data).order_by(audit_log.c.seq)).all()
    assert raw[0][1:] == ("2026-11-01 08:00:00.000000", "text", '{"x":"值"}', "text")
    assert raw[1][1:] == ("2026-11-01 08:00:00.000001", "text", '{"x":"值"}', "text")
    assert [t.replace(tzinfo=core.ts.tzinfo) for t, _ in typed] == [core.ts, fast.ts]
    assert [d for _, d in typed] == [core.data, fast.data]
    assert verify_database(sqlite_engine, load_key()).ok


def test_fast_path_duplicate_is_an_integrity_error(sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        entry = audit.append(conn, actor="a", kind="k", subject="", data={}, now=T0)
    with pytest.raises(exc.IntegrityError), sqlite_engine.begin() as conn:
        assert audit_repo.driver_connection(conn) is not None
        audit_repo.LogWriter(conn).insert(
            [
                {
                    "seq": entry.seq,
                    "ts": entry.ts,
                    "actor": "b",
                    "kind": "k",
                    "subject": "",
                    "data_text": "{}",
                    "prev_hash": entry.prev_hash,
                    "entry_hash": "e" * 64,
                }
            ],
        )


# --- entries, on both databases ---------------------------------------------------------------------


def test_head_insert_and_stream_round_trip(engine: Engine) -> None:
    with engine.begin() as conn:
        log = audit_repo.LogWriter(conn)  # fast path on SQLite, Core on PostgreSQL
        assert log.read_head() is None
        log.insert([_row(1, "0" * 64), _row(2, f"{1:064x}"), _row(3, f"{2:064x}")])
        assert log.read_head() == (3, f"{3:064x}")
    with engine.connect() as conn:
        assert audit_repo.LogWriter(conn).read_head() == (3, f"{3:064x}")  # Core path (autobegin)
        conn.rollback()
        assert audit_repo.count_entries(conn) == 3
        result = audit_repo.stream_rows(conn, after_seq=1, until_seq=2)
        rows = list(result)
    assert len(rows) == 1
    seq, ts, actor, kind, subject, data_text, prev_hash, digest = rows[0]
    assert (seq, actor, kind, subject, prev_hash, digest) == (
        2,
        "王五",
        "incident.ack",
        "incident:0",
        f"{1:064x}",
        f"{2:064x}",
    )
    assert data_text == '{"i":2,"备注":"处理中"}'  # the stored text, verbatim
    stored_ts = ts if isinstance(ts, datetime) else datetime.fromisoformat(ts).replace(tzinfo=UTC)
    assert format_ts(stored_ts) == format_ts(T0 + timedelta(seconds=2, microseconds=7))
    if engine.dialect.name == "sqlite":
        assert ts == (T0 + timedelta(seconds=2, microseconds=7)).strftime(audit_repo.SQLITE_TS_FORMAT)


def test_filtered_reads_seq_range_and_delete(engine: Engine) -> None:
    rows = [_row(1, "0" * 64)]
    rows += [
        _row(seq, rows[-1]["entry_hash"], kind=kind)
        for seq, kind in [(2, "incident"), (3, "incidentx.y"), (4, "check"), (5, "incident.resolve")]
    ]
    rows[3]["actor"] = "copy"
    with engine.begin() as conn:
        audit_repo.LogWriter(conn).insert(rows)
    with engine.connect() as conn:
        family = audit_repo.list_entries(conn, kind_family="incident")
        assert [e.seq for e in family] == [1, 2, 5]
        assert [e.seq for e in audit_repo.list_entries(conn, actor="copy")] == [4]
        assert [e.seq for e in audit_repo.list_entries(conn, limit=2)] == [1, 2]
        window = audit_repo.list_entries(
            conn, since=T0 + timedelta(seconds=2), until=T0 + timedelta(seconds=4)
        )
        assert [e.seq for e in window] == [2, 3]
        first = audit_repo.list_entries(conn, limit=1)[0]
        assert first.ts == T0 + timedelta(seconds=1, microseconds=7) and first.ts.tzinfo is not None
        assert first.data == {"i": 1, "备注": "处理中"}
        assert [e.seq for e in audit_repo.entries_by_subject(conn, "incident:1")] == [1, 3, 5]
        assert audit_repo.seq_range(conn) == (1, 5)
        assert audit_repo.seq_range(conn, since=T0 + timedelta(seconds=3)) == (3, 5)
        assert audit_repo.seq_range(conn, since=T0 + timedelta(days=1)) is None
        ages = audit_repo.iter_seq_ts_kind(conn, after_seq=3)
        assert next(ages) == (4, T0 + timedelta(seconds=4, microseconds=7), "check")
        ages.close()  # stopping early closes the cursor
    with engine.begin() as conn:
        assert audit_repo.delete_through(conn, 2) == 2
    with engine.connect() as conn:
        assert [e.seq for e in audit_repo.list_entries(conn)] == [3, 4, 5]


# --- checkpoints -------------------------------------------------------------------------------------


def test_checkpoints_round_trip(engine: Engine) -> None:
    fields = {"entry_hash": "a" * 64, "key_id": "k", "algorithm": "hmac-sha256", "signature": "s" * 64}
    with engine.begin() as conn:
        assert audit_repo.latest_purge(conn) is None and audit_repo.newest_checkpoint(conn) is None
        first = audit_repo.insert_checkpoint(conn, kind="periodic", seq=10, count=10, ts=T0, **fields)
        audit_repo.insert_checkpoint(conn, kind="purge", seq=5, count=5, ts=T0 + timedelta(hours=1), **fields)
        audit_repo.insert_checkpoint(conn, kind="purge", seq=8, count=8, ts=T0 + timedelta(hours=2), **fields)
    assert first == 1
    with engine.connect() as conn:
        stored = audit_repo.list_checkpoints(conn)
        assert [(c.id, c.kind, c.seq) for c in stored] == [
            (1, "periodic", 10),
            (2, "purge", 5),
            (3, "purge", 8),
        ]
        assert stored[0].ts == T0 and stored[0].signature == "s" * 64
        purge = audit_repo.latest_purge(conn)
        assert purge is not None and (purge.id, purge.seq) == (3, 8)
        assert audit_repo.newest_checkpoint(conn) == (10, T0)
