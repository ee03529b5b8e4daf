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

    try:
        outcomes = asyncio.run(main())
    finally:
        queue.close()
    assert outcomes[0] == "a" and outcomes[2] == "c"
    assert isinstance(outcomes[1], RuntimeError)
    assert _keys(sqlite_engine) == {"a", "c"}


def test_a_constraint_violation_fails_that_crawl_and_keeps_what_committed(sqlite_engine: Engine) -> None:
    queue = CommitQueue(sqlite_engine)

    async def main() -> None:
        await queue.run(_put("a"))
        await queue.run(_put("a"))  # duplicate primary key: IntegrityError inside its savepoint

    try:
        with pytest.raises(Exception, match=r"(?i)unique"):
            asyncio.run(main())
    finally:
        queue.close()
    assert _keys(sqlite_engine) == {"a"}
