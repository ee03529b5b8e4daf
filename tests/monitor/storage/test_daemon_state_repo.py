from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor.storage.daemon_state_repo import get_value, update_value
from monitor.storage.schema import daemon_state
from monitor.storage.times import as_utc

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _bump(value: Any) -> dict[str, int]:
    return {"n": (value or {}).get("n", 0) + 1}


def test_update_inserts_then_replaces_and_get_reads(engine: Engine) -> None:
    with engine.begin() as conn:
        assert get_value(conn, "counter") is None
        assert update_value(conn, "counter", _bump, now=NOW) == {"n": 1}
    later = NOW + timedelta(minutes=1)
    with engine.begin() as conn:
        assert update_value(conn, "counter", _bump, now=later) == {"n": 2}
        assert get_value(conn, "counter") == {"n": 2}
        assert get_value(conn, "other") is None
        updated_at = conn.execute(
            select(daemon_state.c.updated_at).where(daemon_state.c.key == "counter")
        ).scalar_one()
    assert as_utc(updated_at) == later


def test_change_sees_none_without_a_row(engine: Engine) -> None:
    seen: list[Any] = []

    def change(value: Any) -> str:
        seen.append(value)
        return "x"

    with engine.begin() as conn:
        update_value(conn, "k", change, now=NOW)
        update_value(conn, "k", change, now=NOW)
    assert seen == [None, "x"]
