"""Per-channel delivery health in ``channel_state``: sends the platform confirmed with its success code,
sends that failed (HTTP error, platform error code, or HTTP 200 without a success code), and the last
error. Read by ``brandguard alerts channels`` and ``/metrics``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from monitor.storage.schema import channel_state
from monitor.storage.times import as_utc, to_db


def record_ok(conn: Connection, name: str, now: datetime) -> None:
    conn.execute(
        update(channel_state)
        .where(channel_state.c.name == name)
        .values(ok_count=channel_state.c.ok_count + 1, last_ok_at=to_db(now))
    )


def record_failure(conn: Connection, name: str, error: str, now: datetime) -> None:
    conn.execute(
        update(channel_state)
        .where(channel_state.c.name == name)
        .values(fail_count=channel_state.c.fail_count + 1, last_fail_at=to_db(now), last_error=error[:500])
    )


def health_rows(conn: Connection) -> list[dict[str, Any]]:
    """name, ok_count, fail_count, last_ok_at, last_fail_at, last_error, disabled_at per channel."""
    rows = conn.execute(
        select(
            channel_state.c.name,
            channel_state.c.ok_count,
            channel_state.c.fail_count,
            channel_state.c.last_ok_at,
            channel_state.c.last_fail_at,
            channel_state.c.last_error,
            channel_state.c.disabled_at,
        ).order_by(channel_state.c.name)
    ).mappings()
    return [
        {
            **dict(r),
            "last_ok_at": as_utc(r["last_ok_at"]),
            "last_fail_at": as_utc(r["last_fail_at"]),
            "disabled_at": as_utc(r["disabled_at"]),
        }
        for r in rows
    ]
