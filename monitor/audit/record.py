"""``record_check``: one audit entry per draft check, in its own transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from monitor.audit.entry import AuditEntry
from monitor.audit.masking import masked_findings, summarise
from monitor.audit.store import append

CHECK_KIND = "check"


def record_check(
    engine: Engine,
    *,
    actor: str,
    path: str,
    text_sha256: str,
    rule_versions: Mapping[str, str],
    findings: Sequence[Any],
    now: datetime,
) -> AuditEntry:
    """Record who checked which text (by SHA-256) against which rule versions, and what was found.

    ``findings`` are mappings (the JSON Finding of ``brandguard check``) or objects with the same
    attributes, optionally with ``waived`` and ``waiver_reason``/``reason``. No draft text is stored.
    """
    masked = masked_findings(findings)
    data = {
        "path": path,
        "text_sha256": text_sha256,
        "rule_versions": dict(rule_versions),
        "findings": masked,
        "summary": summarise(masked),
    }
    with engine.begin() as conn:
        return append(conn, actor=actor, kind=CHECK_KIND, subject=path, data=data, now=now)
