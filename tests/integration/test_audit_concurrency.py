"""Concurrent writers (separate processes, like daemon + CLI + web) never fork the chain.

Runs on SQLite (BEGIN IMMEDIATE serialises writers) and PostgreSQL (pg_advisory_xact_lock), then
verifies the whole log: every entry present exactly once, seq contiguous, chain intact.
"""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from monitor.audit.signing import KEY_ENV, KEY_ID_ENV, load_key
from monitor.audit.verify import verify_database
from monitor.storage.schema import audit_log

pytestmark = pytest.mark.integration

WRITERS = 4
APPENDS = 60


def _writer(url: str, writer: int) -> None:
    from monitor import audit
    from monitor.audit import store
    from monitor.storage.engine import open_database

    store.CHECKPOINT_EVERY = 25  # checkpoints are written concurrently too
    engine = open_database(url, migrate=False)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        for i in range(APPENDS):
            with engine.begin() as conn:
                audit.append(
                    conn,
                    actor=f"writer-{writer}",
                    kind="notify.sent",
                    subject=f"{writer}:{i}",
                    data={"writer": writer, "i": i},
                    now=start + timedelta(seconds=i),
                )
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "concurrency-test-key")
    monkeypatch.setenv(KEY_ID_ENV, "ct")


def test_parallel_writers_keep_one_chain(engine: Engine, db_url: str) -> None:
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_writer, args=(db_url, w)) for w in range(WRITERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=90)
    assert [p.exitcode for p in processes] == [0] * WRITERS
    with engine.connect() as conn:
        count, low, high, subjects = conn.execute(
            select(
                func.count(),
                func.min(audit_log.c.seq),
                func.max(audit_log.c.seq),
                func.count(audit_log.c.subject.distinct()),
            )
        ).one()
    assert (count, low, high, subjects) == (WRITERS * APPENDS, 1, WRITERS * APPENDS, WRITERS * APPENDS)
    report = verify_database(engine, load_key())
    assert report.ok, report.summary()
    assert report.checkpoints_verified == WRITERS * APPENDS // 25
