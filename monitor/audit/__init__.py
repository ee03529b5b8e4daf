"""The tamper-evident compliance log.

Public API (other modules call these; keep the signatures stable)::

    append(conn, *, actor, kind, subject, data, now) -> AuditEntry   # inside the caller's transaction
    record_check(engine, *, actor, path, text_sha256, rule_versions, findings, now) -> AuditEntry
    checkpoint_if_due(engine, *, now, max_age=timedelta(hours=1)) -> Checkpoint | None  # scheduler tick

Kinds in use: ``check``, ``incident.<transition>``, ``notify.<outcome>``, ``config.change``,
``rules.change``, ``model.change``, ``users.<action>``, ``daemon.<event>``. ``data`` holds hashes and
masked values only, never raw draft text or raw personal information.

Layout: ``canonical`` (canonical JSON, hashing), ``chain`` (pure streaming verification),
``signing`` (HMAC checkpoints, key from the environment), ``masking`` (PIPL), ``store`` (chain
arithmetic: next seq and hashes, when to checkpoint), ``group_commit``, ``verify``, ``export``,
``retention``/``purge``, ``changes``. Every SQL statement on ``audit_log`` and ``audit_checkpoints`` is in
``monitor.storage.audit_repo``; this wing opens the transactions and passes their Connection. Submodules
import SQLAlchemy; this module imports them lazily so ``import monitor.audit`` stays cheap for
``brandguard check``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.audit.entry import AuditEntry

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from monitor.audit.signing import Checkpoint

__all__ = ["AuditEntry", "append", "checkpoint_if_due", "record_check"]

_log = logging.getLogger("monitor.events")
# Compliance-log kinds that are also operator log events: incident opened/escalated/breached, notification
# sent/failed/retried, source disabled. Draft checks and user changes stay in the compliance log only.
_LOGGED_KINDS = ("incident.", "notify.", "source.")


def append(
    conn: Connection, *, actor: str, kind: str, subject: str, data: Mapping[str, Any], now: datetime
) -> AuditEntry:
    """Append one entry inside the caller's transaction; it commits or rolls back with the change."""
    from monitor.audit.store import append as _append

    entry = _append(conn, actor=actor, kind=kind, subject=subject, data=data, now=now)
    if kind.startswith(_LOGGED_KINDS):
        # The operator's view of the same event, one JSON line (monitor.logs). Written when the entry is
        # appended, i.e. just before the caller commits: a rolled-back transaction may leave a line.
        fields = {"event": kind, "subject": subject, "actor": actor, "data": dict(data)}
        _log.info("%s %s", kind, subject, extra=fields)
    return entry


def record_check(
    engine: Engine,
    *,
    actor: str,
    path: str,
    text_sha256: str,
    rule_versions: Mapping[str, str],
    findings: Sequence[Mapping[str, Any]],
    now: datetime,
) -> AuditEntry:
    """One entry (kind ``check``) in its own transaction; findings are stored masked."""
    from monitor.audit.record import record_check as _record_check

    return _record_check(
        engine,
        actor=actor,
        path=path,
        text_sha256=text_sha256,
        rule_versions=rule_versions,
        findings=findings,
        now=now,
    )


def checkpoint_if_due(
    engine: Engine, *, now: datetime, max_age: timedelta = timedelta(hours=1)
) -> Checkpoint | None:
    """Sign the head if it is newer than the newest checkpoint and that one is older than ``max_age``
    (call from a scheduler tick; a no-op without ``BRANDGUARD_AUDIT_KEY``)."""
    from monitor.audit.store import checkpoint_if_due as _checkpoint_if_due

    return _checkpoint_if_due(engine, now=now, max_age=max_age)
