"""The JSON report contract of a check (DESIGN.md, ``brandguard check --format json``).

One document for every front end: the CLI prints it, the HTTP API answers with it and the web page
renders from it, so a copywriter's tool sees the same fields whichever door the draft came through.
``{"version": 1, "results": [{"path", "findings", "summary", "text_sha256", "rule_versions",
"encoding"}]}``; a finding is ``Finding.to_dict()`` (rule_id, category, severity, start, end, line,
column, text, message, law, article, suggestions, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rules.findings import Report

__all__ = ["REPORT_VERSION", "CheckResult", "json_document", "json_result"]

REPORT_VERSION = 1


@dataclass(frozen=True)
class CheckResult:
    """One checked input; what the audit log records (path, sha256, rule versions, findings)."""

    path: str
    text: str
    report: Report
    encoding: str


def json_result(result: CheckResult, *, native_findings: bool = False) -> dict[str, Any]:
    """One entry of ``results``."""
    findings = result.report.findings
    entry: dict[str, Any] = {
        "path": result.path,
        "findings": list(findings) if native_findings else [f.to_dict() for f in findings],
        "summary": result.report.summary,
        "text_sha256": result.report.text_sha256,
        "rule_versions": result.report.rule_versions,
        "encoding": result.encoding,
    }
    total = getattr(result.report, "findings_total", None)  # rules.capped.CappedReport
    if total is not None:
        entry["findings_total"] = total
        entry["findings_truncated"] = True
    return entry


def json_document(results: list[CheckResult], *, native_findings: bool = False) -> dict[str, Any]:
    """The whole document. ``native_findings`` leaves the findings as ``Finding`` dataclasses for an
    encoder that writes them itself in field order, which is ``to_dict``'s order (orjson in the web
    API; its test compares the API's answer with the CLI's byte for byte)."""
    return {
        "version": REPORT_VERSION,
        "results": [json_result(r, native_findings=native_findings) for r in results],
    }
