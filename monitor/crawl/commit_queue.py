"""Group commit for one daemon's crawls on SQLite: one writer thread, several crawls per transaction.

SQLite has one writer at a time. Crawls committing from several threads queued on its busy handler,
which sleeps 1-100 ms between tries, so the write lock sat idle while commits waited. One thread that
takes every crawl waiting for it and commits them together also writes each shared index page once
per batch instead of once per crawl. Each crawl runs in its own savepoint: a crawl that fails (a claim
lost to another daemon) rolls back alone and the others in its batch still commit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[Connection], Any]
Entry = tuple[Work, concurrent.futures.Future[Any]]
# Bounds one transaction: the write lock is held for at most this many crawls' inserts at a time, so
# a console or another daemon waiting for it is not kept out for long.
MAX_BATCH = 32


class CommitQueue:
    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Entry | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="bg-commit", daemon=True)
        self._thread.start()

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a savepoint of the next shared transaction; its result once that committed."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._queue.put((work, future))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[Entry]) -> None:
        done: list[tuple[concurrent.futures.Future[Any], BaseException | None, Any]] = []
        try:
            with self._engine.begin() as conn:
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
        except Exception as error:  # the transaction itself failed (disk full, database gone)
            log.error("group commit of %d crawls failed: %s", len(batch), error)
            for _, future in batch:
                future.set_exception(error)
            return
        for future, failure, value in done:
            if failure is not None:
                future.set_exception(failure)
            else:
                future.set_result(value)
