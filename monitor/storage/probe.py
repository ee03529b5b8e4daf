"""``ping(engine)``: one round trip to the database, for health checks (no table is read)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine


def ping(engine: Engine) -> None:
    """Raise whatever the driver raises when the database cannot answer ``SELECT 1``."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
