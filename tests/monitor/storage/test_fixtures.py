"""The shared PostgreSQL test database is emptied between tests and rebuilt when a test alters it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text

from monitor.storage.engine import open_database
from monitor.storage.schema import daemon_state

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _count(url: str) -> int:
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(daemon_state)).scalar_one())
    finally:
        engine.dispose()


def test_shared_database_is_emptied_then_rebuilt_after_schema_change(pg_url: str, _pg_server: Any) -> None:
    engine = open_database(pg_url)
    with engine.begin() as conn:
        conn.execute(daemon_state.insert().values(key="k", value={}, updated_at=NOW))
    leaked = engine.connect()  # a test that forgets to close must not block the reset
    leaked.execute(select(1))

    name = _pg_server.clean_shared()
    leaked.invalidate()  # the reset terminated it server-side
    leaked.close()
    assert pg_url.endswith(f"/{name}")
    assert _count(pg_url) == 0

    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE daemon_state ADD COLUMN surprise integer"))
    engine.dispose()
    rebuilt = _pg_server.clean_shared()
    assert rebuilt != name
    assert _count(pg_url.rsplit("/", 1)[0] + f"/{rebuilt}") == 0
