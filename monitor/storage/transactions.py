"""Kinds of transaction: read-only (deferred on SQLite), and a write that polls for SQLite's lock.

``open_database`` (``monitor.storage.engine``) reads the execution options set here in its ``begin``
event and emits the matching ``BEGIN``. This module sits below the engine, the migrations and the
integrity check, so none of them needs to import another to open a transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection, Engine

from monitor.errors import StorageError

__all__ = [
    "POLL_LOCK_OPTION",
    "READ_ONLY_OPTION",
    "SQLITE_BUSY_TIMEOUT_S",
    "WriteLockBusy",
    "begin_polling",
    "polling_write_transaction",
    "read_transaction",
]

SQLITE_BUSY_TIMEOUT_S = 30
READ_ONLY_OPTION = "brandguard_read_only"
POLL_LOCK_OPTION = "brandguard_poll_write_lock"
# SQLite's own busy handler sleeps 1, 2, 5, 10, ... 100 ms between tries: fine for a CLI, but a request
# waiting on a lock another process holds for a millisecond can sleep for tens of ms. Latency-sensitive
# writers (the web's audit group commit) poll this often instead.
WRITE_LOCK_POLL_S = 0.0002


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that only reads. On SQLite it starts deferred, so it does not wait for writers."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY_OPTION: True})
        with conn.begin():
            yield conn


@contextmanager
def polling_write_transaction(engine: Engine, *, max_wait_s: float | None = None) -> Iterator[Connection]:
    """A write transaction whose SQLite write lock is waited for by polling every ``WRITE_LOCK_POLL_S``
    rather than by SQLite's escalating sleeps. ``max_wait_s``: give up sooner than the usual busy timeout
    with ``WriteLockBusy`` (an event loop tries briefly, then leaves the long wait to a thread). Same as
    ``engine.begin()`` on PostgreSQL."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{POLL_LOCK_OPTION: max_wait_s or float(SQLITE_BUSY_TIMEOUT_S)})
        with conn.begin():
            yield conn


class WriteLockBusy(StorageError):
    """Another connection held the SQLite write lock for longer than the caller's ``max_wait_s``."""


def begin_polling(conn: Connection, max_wait_s: float) -> None:
    import sqlite3
    import time

    raw: Any = conn.connection.driver_connection
    saved = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
    raw.execute("PRAGMA busy_timeout = 0")
    deadline = time.monotonic() + max_wait_s
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise StorageError(f"database: {error}") from error
                if time.monotonic() >= deadline:
                    kind = StorageError if max_wait_s >= SQLITE_BUSY_TIMEOUT_S else WriteLockBusy
                    raise kind(f"database: {error} (waited {max_wait_s:g} s)") from error
                time.sleep(WRITE_LOCK_POLL_S)
    finally:
        raw.execute(f"PRAGMA busy_timeout = {saved}")
