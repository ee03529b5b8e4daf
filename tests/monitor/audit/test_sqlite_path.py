"""The SQLite fast path stores exactly what the SQLAlchemy Core path stores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, exc, select

from monitor import audit
from monitor.audit import sqlite_path
from monitor.audit.signing import load_key
from monitor.audit.verify import verify_database
from monitor.storage.schema import audit_log
from tests.monitor.audit.helpers import T0


def test_fast_and_core_paths_store_identical_representations(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert sqlite_path.driver_connection(conn) is None  # no transaction yet: Core path (autobegin)
        core = audit.append(conn, actor="a", kind="k", subject="s", data={"x": "值"}, now=T0)
        conn.commit()
    with sqlite_engine.begin() as conn:
        assert sqlite_path.driver_connection(conn) is not None
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
        raw = sqlite_path.driver_connection(conn)
        assert raw is not None
        sqlite_path.insert(
            raw,
            seq=entry.seq,
            ts=entry.ts,
            actor="b",
            kind="k",
            subject="",
            data_text="{}",
            prev_hash=entry.prev_hash,
            entry_hash="e" * 64,
        )
