"""AsyncGroupCommit: concurrent appends from one event loop share transactions, on SQLite and PostgreSQL.

No pytest-asyncio here: each test drives its own loop with ``asyncio.run``. Batching is made
deterministic by the loop's scheduling, not by time: with ``window_s=0`` every task that was already
runnable queues its entry before the first flush runs. ``asyncio.sleep(0)`` below is a yield to the
loop, never a wait for time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, exc, select

from monitor.audit import group_commit
from monitor.audit.canonical import GENESIS_HASH
from monitor.audit.entry import AuditEntry
from monitor.audit.group_commit import AsyncGroupCommit
from monitor.audit.signing import load_key
from monitor.audit.store import PreparedEntry
from monitor.audit.verify import verify_database
from monitor.storage.schema import audit_log
from tests.monitor.audit.helpers import T0


@pytest.fixture
def batch_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records the size of every transaction the group commit attempts (committed or not)."""
    sizes: list[int] = []
    real = group_commit.append_prepared

    def spy(conn: Connection, prepared: Sequence[PreparedEntry], **kwargs: Any) -> list[AuditEntry]:
        sizes.append(len(prepared))
        return real(conn, prepared, **kwargs)

    monkeypatch.setattr(group_commit, "append_prepared", spy)
    return sizes


@pytest.fixture
def group(engine: Engine) -> Iterator[AsyncGroupCommit]:
    writer = AsyncGroupCommit(engine, window_s=0)
    try:
        yield writer
    finally:
        writer.close()


async def _append(group: AsyncGroupCommit, i: int, **overrides: Any) -> AuditEntry:
    fields: dict[str, Any] = {
        "actor": "web",
        "kind": "check",
        "subject": f"draft {i}",
        "data": {"i": i, "备注": "并发"},
        "now": T0 + timedelta(milliseconds=i),
    }
    fields.update(overrides)
    return await group.append(**fields)


def _subjects(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(audit_log.c.subject).order_by(audit_log.c.seq)).scalars())


def _assert_chain(engine: Engine, entries: Sequence[AuditEntry]) -> None:
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert [e.prev_hash for e in entries] == [GENESIS_HASH] + [e.entry_hash for e in entries[:-1]]
    assert _subjects(engine) == [e.subject for e in entries]
    report = verify_database(engine, load_key())
    assert report.ok, report.summary()
    assert report.entries == len(entries)


def test_concurrent_appends_are_grouped_in_submission_order(
    engine: Engine, group: AsyncGroupCommit, batch_sizes: list[int]
) -> None:
    async def main() -> list[AuditEntry]:
        return await asyncio.gather(*(_append(group, i) for i in range(50)))

    entries = asyncio.run(main())
    assert [e.subject for e in entries] == [f"draft {i}" for i in range(50)]
    assert all(e.data == {"i": i, "备注": "并发"} for i, e in enumerate(entries))
    _assert_chain(engine, entries)
    assert group.entries == 50
    assert group.batches < 50
    assert group.batches == len(batch_sizes) and sum(batch_sizes) == 50
    assert max(batch_sizes) > 1


def test_a_lone_append_resolves_with_the_default_window(engine: Engine) -> None:
    writer = AsyncGroupCommit(engine)  # SQLite: flushed by a call_later timer, not immediately
    try:
        first = asyncio.run(_append(writer, 0))
        second = asyncio.run(_append(writer, 1))  # a new loop: the writer's state was reset
    finally:
        writer.close()
    assert (writer.batches, writer.entries) == (2, 2)
    _assert_chain(engine, [first, second])


def test_sequential_appends_each_commit_before_resolving(engine: Engine, group: AsyncGroupCommit) -> None:
    async def main() -> list[AuditEntry]:
        out = []
        for i in range(3):
            out.append(await _append(group, i))
            assert _subjects(engine) == [f"draft {j}" for j in range(i + 1)]  # committed, readable
        return out

    entries = asyncio.run(main())
    assert group.batches == 3
    _assert_chain(engine, entries)


def test_max_batch_is_honoured(engine: Engine, batch_sizes: list[int]) -> None:
    writer = AsyncGroupCommit(engine, max_batch=3, window_s=0)

    async def main() -> list[AuditEntry]:
        return await asyncio.gather(*(_append(writer, i) for i in range(10)))

    try:
        entries = asyncio.run(main())
    finally:
        writer.close()
    assert max(batch_sizes) <= 3 and sum(batch_sizes) == 10
    assert writer.batches == len(batch_sizes) >= 4
    _assert_chain(engine, entries)


def test_max_batch_must_be_positive(sqlite_engine: Engine) -> None:
    with pytest.raises(ValueError, match="max_batch"):
        AsyncGroupCommit(sqlite_engine, max_batch=0)


def test_data_the_encoder_rejects_fails_only_its_caller(
    engine: Engine, group: AsyncGroupCommit, batch_sizes: list[int]
) -> None:
    bad = {3: {"x": float("nan")}, 6: {"x": object()}}

    async def main() -> list[AuditEntry | BaseException]:
        calls = [_append(group, i, data=bad.get(i, {"i": i})) for i in range(10)]
        return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(main())
    assert isinstance(results[3], ValueError)
    assert isinstance(results[6], TypeError)
    good = [r for i, r in enumerate(results) if i not in bad]
    assert all(isinstance(r, AuditEntry) for r in good)
    entries = [r for r in good if isinstance(r, AuditEntry)]
    assert [e.subject for e in entries] == [f"draft {i}" for i in range(10) if i not in bad]
    _assert_chain(engine, entries)
    assert group.entries == 8 and sum(batch_sizes) == 8


def test_an_entry_the_database_rejects_fails_alone_after_the_shared_transaction_fails(
    engine: Engine, group: AsyncGroupCommit, batch_sizes: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_prepare = group_commit.prepare

    def prepare(**fields: Any) -> PreparedEntry:
        entry = real_prepare(**fields)
        # actor is NOT NULL: the insert of this one entry fails inside the database
        return dataclasses.replace(entry, actor=None) if fields["subject"] == "draft 2" else entry

    monkeypatch.setattr(group_commit, "prepare", prepare)

    async def main() -> list[AuditEntry | BaseException]:
        return await asyncio.gather(*(_append(group, i) for i in range(5)), return_exceptions=True)

    results = asyncio.run(main())
    assert isinstance(results[2], exc.IntegrityError)
    entries = [r for i, r in enumerate(results) if i != 2]
    assert all(isinstance(r, AuditEntry) for r in entries)
    good = [r for r in entries if isinstance(r, AuditEntry)]
    assert [e.subject for e in good] == ["draft 0", "draft 1", "draft 3", "draft 4"]
    _assert_chain(engine, good)
    # one shared attempt of all five, then one transaction per entry
    assert batch_sizes == [5, 1, 1, 1, 1, 1]
    assert (group.batches, group.entries) == (4, 4)


def test_too_long_kind_fails_alone_on_postgres(pg_url: str, batch_sizes: list[int]) -> None:
    from monitor.storage.engine import open_database

    engine = open_database(pg_url)
    writer = AsyncGroupCommit(engine, window_s=0)

    async def main() -> list[AuditEntry | BaseException]:
        calls = [_append(writer, i, kind="k" * 65 if i == 1 else "check") for i in range(3)]
        return await asyncio.gather(*calls, return_exceptions=True)

    try:
        results = asyncio.run(main())
        assert isinstance(results[1], exc.DBAPIError)
        good = [results[0], results[2]]
        assert all(isinstance(r, AuditEntry) for r in good)
        _assert_chain(engine, [r for r in good if isinstance(r, AuditEntry)])
        assert batch_sizes == [3, 1, 1, 1]
    finally:
        writer.close()
        engine.dispose()


def test_a_cancelled_caller_still_gets_its_entry_written(engine: Engine, group: AsyncGroupCommit) -> None:
    async def main() -> tuple[bool, AuditEntry]:
        task = asyncio.create_task(_append(group, 0, subject="cancelled"))
        await asyncio.sleep(0)  # one loop turn: the task queues its entry; no flush has run yet
        assert _subjects(engine) == [] and not task.done()
        task.cancel()
        cancelled = False
        try:
            await task
        except asyncio.CancelledError:
            cancelled = True
        # entries commit in submission order: once this resolves, the cancelled one had its turn
        after = await _append(group, 1, subject="after")
        return cancelled, after

    cancelled, after = asyncio.run(main())
    assert cancelled
    assert after.seq == 2
    assert _subjects(engine) == ["cancelled", "after"]
    report = verify_database(engine, load_key())
    assert report.ok and report.entries == 2


def test_postgres_groups_what_arrives_while_a_transaction_is_in_flight(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.storage.engine import open_database

    started, release = threading.Event(), threading.Event()
    sizes: list[int] = []
    real = group_commit.append_prepared

    def blocking(conn: Connection, prepared: Sequence[PreparedEntry], **kwargs: Any) -> list[AuditEntry]:
        sizes.append(len(prepared))
        if len(sizes) == 1:
            started.set()
            assert release.wait(10), "the test never released the first transaction"
        return real(conn, prepared, **kwargs)

    monkeypatch.setattr(group_commit, "append_prepared", blocking)
    engine = open_database(pg_url)
    writer = AsyncGroupCommit(engine)

    async def main() -> list[AuditEntry]:
        first = asyncio.create_task(_append(writer, 0))
        assert await asyncio.to_thread(started.wait, 10), "the first transaction never started"
        later = [asyncio.create_task(_append(writer, i)) for i in range(1, 6)]
        await asyncio.sleep(0)  # one loop turn: the five queue behind the transaction in flight
        release.set()
        return [await first, *await asyncio.gather(*later)]

    try:
        entries = asyncio.run(main())
        assert sizes == [1, 5]
        assert writer.batches == 2
        _assert_chain(engine, entries)
    finally:
        release.set()
        writer.close()
        engine.dispose()


def test_sqlite_waits_the_window_only_when_company_is_expected(sqlite_engine: Engine) -> None:
    writer = AsyncGroupCommit(sqlite_engine, window_s=30.0)
    delays: list[float] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        real_call_later = loop.call_later

        def spy(delay: float, callback: Any, *args: Any) -> Any:
            if delay != writer.window_s:  # wait_for's own timer
                return real_call_later(delay, callback, *args)
            delays.append(delay)
            return real_call_later(0, callback, *args)  # recorded, not waited for

        loop.call_later = spy  # type: ignore[method-assign]
        # Alone: written on the next loop iteration, never after the 30 s window.
        await asyncio.wait_for(_append(writer, 1), timeout=10)
        assert delays == []
        await _append(writer, 2, company_expected=True)
        assert delays == [30.0]

    asyncio.run(scenario())
    assert writer.entries == 2


def test_a_long_held_sqlite_lock_is_waited_for_in_a_thread_not_on_the_loop(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3
    import time

    from monitor.storage import engine as engine_module
    from monitor.storage.engine import open_database

    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_S", 20)
    engine = open_database(sqlite_url)
    writer = AsyncGroupCommit(engine, window_s=0)
    blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # e.g. a daemon's long crawl transaction in another process

    async def scenario() -> AuditEntry:
        task = asyncio.create_task(_append(writer, 1))
        started = time.monotonic()
        for _ in range(20):
            await asyncio.sleep(0)  # yields; each returns at once only if no flush is blocking the loop
        assert time.monotonic() - started < 2.0, "the event loop sat waiting for the lock"
        assert not task.done()
        blocker.execute("COMMIT")
        return await asyncio.wait_for(task, timeout=15)

    try:
        entry = asyncio.run(scenario())
        assert entry.seq == 1 and _subjects(engine) == ["draft 1"]
        # the lock free again, the next batch is written on the loop as usual
        assert asyncio.run(_append(writer, 2)).seq == 2
    finally:
        blocker.close()
        writer.close()
        engine.dispose()
