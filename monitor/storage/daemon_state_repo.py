"""Small pieces of daemon state shared by every instance: one JSON value per key in ``daemon_state``.

A read-modify-write (``update_value``) reads the row ``FOR UPDATE`` on PostgreSQL; on SQLite the
caller's transaction is already ``BEGIN IMMEDIATE`` (engine.py), so concurrent writers are serialised
on both and no update is lost. When the row does not exist yet there is nothing to lock: two first
writers both insert, and the loser's transaction fails with ``IntegrityError``; the caller decides
whether to retry or drop its change (the fetch-latency figures are only metrics and are dropped).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from monitor.storage.schema import daemon_state
from monitor.storage.times import to_db


def get_value(conn: Connection, key: str) -> Any | None:
    """The stored JSON value of ``key``, or None when there is no row."""
    return conn.execute(select(daemon_state.c.value).where(daemon_state.c.key == key)).scalar()


def update_value(conn: Connection, key: str, change: Callable[[Any | None], Any], *, now: datetime) -> Any:
    """Replace the value of ``key`` by ``change(current)`` (current is None without a row); returns it.

    Call inside a write transaction: the locked read and the write belong to the caller's transaction.
    """
    row = conn.execute(
        select(daemon_state.c.value).where(daemon_state.c.key == key).with_for_update()
    ).first()
    value = change(row.value if row is not None else None)
    if row is None:
        conn.execute(daemon_state.insert().values(key=key, value=value, updated_at=to_db(now)))
    else:
        conn.execute(
            update(daemon_state).where(daemon_state.c.key == key).values(value=value, updated_at=to_db(now))
        )
    return value
