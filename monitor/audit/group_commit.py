"""Group commit for the compliance log: concurrent appends from one event loop share a transaction.

The web API records one ``check`` entry per draft. With a transaction per entry, 50 concurrent
clients queue on the log's writer lock and the commit, not the check, sets the pace. Here each request
prepares its entry (canonical JSON, pure CPU) and awaits a future; entries that arrive while the loop is
busy go into one transaction (one head read, one multi-row insert).

Where the transaction runs:

* SQLite: on the loop thread itself. A write costs ~0.1 ms of CPU and no network; a helper thread
  would have to win the GIL back from the busy loop after every sqlite call (up to the 5 ms switch
  interval each time), which measured *slower* under load, with the loop idling while every request
  waited for the writer (BENCHMARKS.md, issue 7). Only when another connection keeps the write lock
  for more than ``LOOP_LOCK_WAIT_S`` does that batch wait in a thread instead.
* PostgreSQL: in one dedicated thread, since the round trips and the commit's WAL flush are waits the
  loop should not sit through.

Durability is unchanged: a future resolves only after the transaction holding its entry committed, so
a handler that answers after ``await append(...)`` never reports an entry that is not in the log. If a
shared transaction fails, its entries are retried one by one, so one bad entry cannot fail the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from monitor.audit.entry import AuditEntry
from monitor.audit.store import PreparedEntry, append_prepared, prepare
from monitor.storage.transactions import WriteLockBusy, polling_write_transaction

log = logging.getLogger(__name__)

MAX_BATCH = 256  # bounds how long one transaction holds the log's writer lock
# How long the first entry of a SQLite batch waits for company when the caller expects some (otherwise
# it is written on the next loop iteration). Each commit rewrites whole pages (the
# entry_hash index is random, so nearly every entry dirties its own index page); at 50 concurrent clients
# a 2 ms window made batches of ~4 and raised throughput ~8% (BENCHMARKS.md). PostgreSQL batches
# whatever arrives while the previous transaction is in flight, with no window.
SQLITE_WINDOW_S = 0.002
# How long a flush on the event loop waits for SQLite's write lock before it hands the batch to a thread.
# Another process's commit holds it for well under a millisecond; a daemon's large crawl transaction or an
# audit purge can hold it for seconds, and the loop (health checks, the incident board) must not stall.
LOOP_LOCK_WAIT_S = 0.005

_Waiter = tuple[PreparedEntry, "asyncio.Future[AuditEntry]"]


class AsyncGroupCommit:
    """``await append(...)`` from any task of one event loop; resolves after the entry's commit."""

    def __init__(
        self, engine: Engine, *, max_batch: int = MAX_BATCH, window_s: float = SQLITE_WINDOW_S
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be >= 1")
        self.window_s = window_s
        self._engine = engine
        self._max_batch = max_batch
        self._pending: list[_Waiter] = []
        self._flushing = False
        self._flush_loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None  # made when first needed
        self._task: asyncio.Task[None] | None = None  # referenced so it is not garbage-collected mid-flush
        self._inline = engine.dialect.name == "sqlite"
        self._closed = False
        self.batches = 0  # transactions committed; read by tests and the benchmark
        self.entries = 0

    async def append(
        self,
        *,
        actor: str,
        kind: str,
        subject: str,
        data: Mapping[str, Any],
        now: datetime,
        company_expected: bool = False,
    ) -> AuditEntry:
        """``company_expected``: the caller knows other appends are coming (the web passes "other
        requests are in progress"); on SQLite the batch then waits ``window_s`` for them."""
        entry = prepare(actor=actor, kind=kind, subject=subject, data=data, now=now)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AuditEntry] = loop.create_future()
        self._pending.append((entry, future))
        stale = self._flush_loop
        if self._flushing and stale is not None and stale is not loop and stale.is_closed():
            # The loop that was to flush ended first (a test client's per-request loop, say): this loop
            # takes the queued entries over rather than leaving them, and every later caller, stuck.
            self._flushing = False
        if not self._flushing:
            self._flushing = True
            self._flush_loop = loop
            if self._inline:
                if company_expected:
                    # Not now: entries of the requests already in progress join this transaction.
                    loop.call_later(self.window_s, self._flush_inline)
                else:
                    loop.call_soon(self._flush_inline)  # a lone client does not pay the window
            else:
                self._task = loop.create_task(self._flush_in_thread())
        # shield: a client that disconnects cancels its request, but the check happened and its entry
        # is written all the same.
        return await asyncio.shield(future)

    def close(self) -> None:
        """Wait for a batch in flight in the thread; later appends that would need the thread fail."""
        self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=True)

    def _thread(self) -> ThreadPoolExecutor:
        if self._executor is None:
            if self._closed:
                raise RuntimeError("the audit group commit is closed")
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-group-commit")
        return self._executor

    def _take(self) -> list[_Waiter]:
        batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
        return batch

    def _flush_inline(self) -> None:
        batch = self._take()
        try:
            results = self._write([entry for entry, _ in batch], max_wait_s=LOOP_LOCK_WAIT_S)
        except WriteLockBusy:
            # Someone holds the write lock for long: wait in the thread, keep the loop serving.
            self._pending[:0] = batch  # back at the front, order kept
            self._task = asyncio.get_running_loop().create_task(self._flush_in_thread())
            return
        self._resolve(batch, results)
        if self._pending:
            asyncio.get_running_loop().call_soon(self._flush_inline)
        else:
            self._flushing = False

    async def _flush_in_thread(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch = self._take()
                try:
                    results = await loop.run_in_executor(self._thread(), self._write, [e for e, _ in batch])
                except RuntimeError as exc:  # closed, or the executor shut down: fail, do not hang
                    results = [exc] * len(batch)
                self._resolve(batch, results)
        finally:
            self._flushing = False

    @staticmethod
    def _resolve(batch: list[_Waiter], results: list[AuditEntry | Exception]) -> None:
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            try:
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
            except RuntimeError:
                pass  # its loop is closed: nobody is waiting, and the entry is written either way

    def _write(
        self, batch: list[PreparedEntry], max_wait_s: float | None = None
    ) -> list[AuditEntry | Exception]:
        """One shared transaction; if it fails, each entry alone. ``WriteLockBusy`` (only possible with
        ``max_wait_s``) propagates: nothing was written and the caller retries elsewhere."""
        try:
            return list(self._append_all(batch, max_wait_s))
        except WriteLockBusy:
            raise
        except Exception as exc:  # every failure must reach the waiting callers
            if len(batch) == 1:
                log.warning("audit append failed: %s", exc)
                return [exc]
        out: list[AuditEntry | Exception] = []
        for entry in batch:
            try:
                out.extend(self._append_all([entry], max_wait_s))  # a lock wait now fails only this one
            except Exception as single:
                log.warning("audit append failed: %s", single)
                out.append(single)
        return out

    def _append_all(self, batch: list[PreparedEntry], max_wait_s: float | None = None) -> list[AuditEntry]:
        with polling_write_transaction(self._engine, max_wait_s=max_wait_s) as conn:
            entries = append_prepared(conn, batch)
        self.batches += 1
        self.entries += len(entries)
        return entries
