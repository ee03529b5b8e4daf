"""The alert path's entries in the compliance log, appended inside the caller's transaction so that a
state change and its entry commit together or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from monitor.audit import append

SYSTEM_ACTOR = "brandguard"  # the actor of everything the daemon decides on its own


def audit(
    conn: Connection, *, actor: str, kind: str, subject: str, data: Mapping[str, Any], now: datetime
) -> None:
    """Append to the compliance log inside the caller's transaction."""
    append(conn, actor=actor, kind=kind, subject=subject, data=dict(data), now=now)
