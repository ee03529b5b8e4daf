"""Reading entries for people: filters by time, actor and kind (``brandguard audit log``, web console)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, or_, select

from monitor.audit.entry import AuditEntry
from monitor.storage.schema import audit_log
from monitor.storage.times import as_utc_required, to_db
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
    query = select(audit_log).order_by(audit_log.c.seq).limit(limit)
    if since is not None:
        query = query.where(audit_log.c.ts >= to_db(since))
    if until is not None:
        query = query.where(audit_log.c.ts < to_db(until))
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if kind:
        family = kind.removesuffix(".*")
        query = query.where(
            or_(audit_log.c.kind == family, audit_log.c.kind.startswith(family + ".", autoescape=True))
        )
    with read_transaction(engine) as conn:
        rows = conn.execute(query).mappings().all()
    return [
        AuditEntry(
            seq=int(row["seq"]),
            ts=as_utc_required(row["ts"]),
            actor=row["actor"],
            kind=row["kind"],
            subject=row["subject"],
            data=_data(row["data"]),
            prev_hash=row["prev_hash"],
            entry_hash=row["entry_hash"],
        )
        for row in rows
    ]


def _data(value: object) -> dict:
    # drivers hand back a dict (JSON type) or, for hand-made rows, the text
    return value if isinstance(value, dict) else json.loads(str(value))
