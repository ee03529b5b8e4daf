from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from monitor.crawl.commit_queue import CommitQueue
from monitor.storage.schema import daemon_state

from .fakes import NOW


def _put(key: str, fail: bool = False):  # type: ignore[no-untyped-def]
    def work(conn: Connection) -> str:
        conn.execute(daemon_state.insert().values(key=key, value={}, updated_at=NOW))
        if fail:
            raise RuntimeError(f"{key} failed")
        return key

    return work


def _keys(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(daemon_state.c.key)).scalars())


def test_a_failing_crawl_rolls_back_alone_and_its_batch_still_commits(sqlite_engine: Engine) -> None:
    queue = CommitQueue(sqlite_engine, max_batch=8)

    async def main() -> list[object]:
        works = [_put("a"), _put("b", fail=True), _put("c")]
        return await asyncio.gather(*(queue.run(w) for w in works), return_exceptions=True)

    outcomes = asyncio.run(main())
    assert outcomes[0] == "a" and outcomes[2] == "c"
    assert isinstance(outcomes[1], RuntimeError)
    assert _keys(sqlite_engine) == {"a", "c"}


def test_a_constraint_violation_fails_that_crawl_and_keeps_what_committed(sqlite_engine: Engine) -> None:
    queue = CommitQueue(sqlite_engine)

    async def main() -> None:
        await queue.run(_put("a"))
        await queue.run(_put("a"))  # duplicate primary key: IntegrityError inside its savepoint

    with pytest.raises(Exception, match=r"(?i)unique"):
        asyncio.run(main())
    assert _keys(sqlite_engine) == {"a"}


def test_a_batch_waits_in_a_thread_while_another_connection_holds_the_write_lock(
    sqlite_engine: Engine,
) -> None:
    """The loop tries the lock for LOCK_WAIT_S only; the batch still commits once the holder is done."""
    import threading

    queue = CommitQueue(sqlite_engine, lock_wait_s=0.001)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with sqlite_engine.begin() as conn:  # BEGIN IMMEDIATE: the write lock
            conn.execute(daemon_state.insert().values(key="holder", value={}, updated_at=NOW))
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)

    async def main() -> str:
        task = asyncio.create_task(queue.run(_put("a")))
        for _ in range(50):  # the loop stays free while the batch waits in its thread
            await asyncio.sleep(0)
        assert not task.done()
        release.set()
        return await task

    try:
        assert asyncio.run(main()) == "a"
    finally:
        release.set()
        holder.join()
    assert _keys(sqlite_engine) == {"holder", "a"}
