"""``record_check``: one audit entry per draft check, in its own transaction; ``check_data`` builds it."""

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
    data = check_data(path=path, text_sha256=text_sha256, rule_versions=rule_versions, findings=findings)
    with engine.begin() as conn:
        return append(conn, actor=actor, kind=CHECK_KIND, subject=path, data=data, now=now)


def check_data(
    *, path: str, text_sha256: str, rule_versions: Mapping[str, str], findings: Sequence[Any]
) -> dict[str, Any]:
    """The ``data`` of a ``check`` entry (masked findings, no draft text); pure, for callers that append
    through their own transaction or a ``GroupCommitWriter``."""
    masked = masked_findings(findings)
    return {
        "path": path,
        "text_sha256": text_sha256,
        "rule_versions": dict(rule_versions),
        "findings": masked,
        "summary": summarise(masked),
    }
