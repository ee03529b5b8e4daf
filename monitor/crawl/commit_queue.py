"""Group commit for one daemon's crawls on SQLite, on the event loop: several crawls per transaction.

SQLite has one writer at a time. Crawls committing from threads queued on its busy handler (which
sleeps 1-100 ms between tries) and, worse, handed the GIL back and forth with the event loop for every
statement: at thousands of sources a third of the daemon's CPU went to that contention. So the crawls
that finished in one turn of the loop are committed together, on the loop thread, in one transaction,
each in its own savepoint: a crawl that fails (a claim lost to another daemon) rolls back alone and the
others still commit. Shared index pages are also written once per batch instead of once per crawl.

The loop only ever waits ``LOCK_WAIT_S`` for the write lock; when another process (the console, another
daemon) holds it longer, that batch waits for it in a thread, so fetches keep flowing meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine

from monitor.storage.transactions import WriteLockBusy, polling_write_transaction

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[Connection], Any]
Entry = tuple[Work, "asyncio.Future[Any]"]
Outcome = tuple["asyncio.Future[Any]", BaseException | None, Any]
# One transaction holds the write lock for at most this many crawls' inserts, so a console or another
# daemon waiting for the lock is not kept out for long.
MAX_BATCH = 32
LOCK_WAIT_S = 0.005


class CommitQueue:
    def __init__(
        self, engine: Engine, *, max_batch: int = MAX_BATCH, lock_wait_s: float = LOCK_WAIT_S
    ) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._lock_wait_s = lock_wait_s
        self._pending: list[Entry] = []
        self._flusher: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a savepoint of the next shared transaction; its result once that committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((work, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._flush())
        return await future

    async def drain(self) -> None:
        """Wait until everything queued so far is committed (or failed)."""
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)

    async def _flush(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # crawls finishing in this turn of the loop join the batch
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
            try:
                try:
                    outcomes = self._commit(batch, self._lock_wait_s)
                except WriteLockBusy:  # raised at BEGIN, before any work ran: safe to run the batch again
                    outcomes = await asyncio.to_thread(self._commit, batch, None)
            except Exception as error:  # the transaction itself failed (disk full, database gone)
                log.error("group commit of %d crawls failed: %s", len(batch), error)
                outcomes = [(future, error, None) for _, future in batch]
            for future, failure, value in outcomes:
                if future.done():  # its crawl was cancelled (a stop): the rows are committed anyway
                    continue
                if failure is not None:
                    future.set_exception(failure)
                else:
                    future.set_result(value)

    def _commit(self, batch: list[Entry], max_wait_s: float | None) -> list[Outcome]:
        done: list[Outcome] = []
        with polling_write_transaction(self._engine, max_wait_s=max_wait_s) as conn:
            for work, future in batch:
                savepoint = conn.begin_nested()
                try:
                    value = work(conn)
                except Exception as error:  # this crawl only: the batch goes on without it
                    savepoint.rollback()
                    done.append((future, error, None))
                else:
                    savepoint.commit()
                    done.append((future, None, value))
        return done
