"""Named transaction locks for read-then-write sequences that must not interleave across processes.

On SQLite every write transaction already holds the database write lock from ``BEGIN IMMEDIATE``
(engine.py), so this is a no-op there. On PostgreSQL (READ COMMITTED) two transactions can both read
the same "last" row and both write after it -- e.g. two audit appends forking the hash chain.
``xact_lock(conn, "audit_log")`` takes ``pg_advisory_xact_lock`` on a key derived from the name; it is
released automatically at commit or rollback.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.engine import Connection


def lock_key(name: str) -> int:
    """Stable signed 64-bit key for ``name`` (Python's hash() differs between processes)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def xact_lock(conn: Connection, name: str) -> None:
    """Block until this transaction holds the lock ``name``; call it first in the transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
