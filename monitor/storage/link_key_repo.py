"""The key that signs deep links in bot cards, kept in ``daemon_state`` so every daemon and every web
worker on one database signs and checks with the same key (a key in one process's data directory would
make links from another daemon fail)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from monitor.storage.schema import daemon_state

LINK_KEY = "incident_link_key"


def link_key(conn: Connection, now: datetime) -> str:
    """The key, created on first use. Call inside a transaction."""
    found = conn.execute(select(daemon_state.c.value).where(daemon_state.c.key == LINK_KEY)).scalar()
    if isinstance(found, dict) and found.get("key"):
        return str(found["key"])
    key = secrets.token_urlsafe(32)
    try:
        with conn.begin_nested():
            conn.execute(insert(daemon_state).values(key=LINK_KEY, value={"key": key}, updated_at=now))
    except IntegrityError:
        # Another process created it first; use theirs so both sign alike.
        found = conn.execute(select(daemon_state.c.value).where(daemon_state.c.key == LINK_KEY)).scalar()
        return str((found or {})["key"])
    return key
