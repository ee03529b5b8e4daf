"""Reading entries for people: filters by time, actor and kind (``brandguard audit log``, web console)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from monitor.audit.entry import AuditEntry
from monitor.storage import audit_repo
from monitor.storage.transactions import read_transaction


def list_entries(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    kind: str | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    """Oldest first. ``kind`` ``incident`` or ``incident.*`` matches the whole family."""
    family = kind.removesuffix(".*") if kind else None
    with read_transaction(engine) as conn:
        rows = audit_repo.list_entries(
            conn, since=since, until=until, actor=actor, kind_family=family, limit=limit
        )
    return [
        AuditEntry(
            seq=row.seq,
            ts=row.ts,
            actor=row.actor,
            kind=row.kind,
            subject=row.subject,
            data=row.data,
            prev_hash=row.prev_hash,
            entry_hash=row.entry_hash,
        )
        for row in rows
    ]
