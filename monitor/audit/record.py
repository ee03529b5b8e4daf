"""``record_check``: one audit entry per draft check, in its own transaction; ``check_data`` builds it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from monitor.audit.entry import AuditEntry
from monitor.audit.masking import count_findings, masked_findings, summarise
from monitor.audit.store import append

CHECK_KIND = "check"
# An entry keeps the counts of every finding but the detail of only the first few hundred: one check of
# 1,000,000 characters of 最好的 made a 44.5 MB entry that blocked purging for three years (issue 11).
MAX_RECORDED_FINDINGS = 200


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
    if len(findings) <= MAX_RECORDED_FINDINGS:
        masked = masked_findings(findings)
        summary = summarise(masked)
    else:
        masked = masked_findings(findings[:MAX_RECORDED_FINDINGS])
        summary = count_findings(findings)
    data: dict[str, Any] = {
        "path": path,
        "text_sha256": text_sha256,
        "rule_versions": dict(rule_versions),
        "findings": masked,
        "summary": summary,
    }
    if len(findings) > MAX_RECORDED_FINDINGS:
        data["findings_total"] = len(findings)
        data["findings_note"] = (
            f"only the first {MAX_RECORDED_FINDINGS} of {len(findings):,} findings are recorded; "
            "summary counts all of them"
        )
    return data
