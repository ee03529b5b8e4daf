"""SARIF 2.1.0 output, for editors and CI code-scanning views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rules.findings import Finding, Report
from rules.rulepack import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.id.replace(".", "_"),
        "shortDescription": {"text": f"{rule.law} {rule.article}"},
        "fullDescription": {"text": rule.message},
        "help": {"text": "\n".join(rule.suggestions)},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"category": rule.category, "law": rule.law, "article": rule.article},
    }


def _end_position(text: str, finding: Finding) -> tuple[int, int]:
    newlines = finding.text.count("\n")
    if not newlines:
        return finding.line, finding.column + len(finding.text)
    return finding.line + newlines, len(finding.text) - finding.text.rfind("\n")


def _result(path: str, text: str, finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    end_line, end_column = _end_position(text, finding)
    message = f"{finding.message}（{finding.law} {finding.article}）「{finding.text}」"
    if finding.suggestions:
        message += " 建议：" + "；".join(finding.suggestions)
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index[finding.rule_id],
        "level": _LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": path},
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": end_line,
                        "endColumn": end_column,
                        "charOffset": finding.start,
                        "charLength": finding.end - finding.start,
                        "snippet": {"text": finding.text},
                    },
                }
            }
        ],
    }
    if finding.waived:
        kind = "inSource" if finding.waiver_source == "inline" else "external"
        result["suppressions"] = [{"kind": kind, "justification": finding.waiver_reason or ""}]
    return result


def to_sarif(
    results: Sequence[tuple[str, str, Report]], rules: Sequence[Rule], *, tool_version: str
) -> dict[str, Any]:
    """``results`` are ``(path, text, report)``; columns are counted in Unicode code points."""
    rule_index = {rule.id: i for i, rule in enumerate(rules)}
    sarif_results = [
        _result(path, text, finding, rule_index)
        for path, text, report in results
        for finding in report.findings
    ]
    versions: dict[str, str] = {}
    for _, _, report in results:
        versions.update(report.rule_versions)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "BrandGuard",
                        "version": tool_version,
                        "rules": [_rule_descriptor(rule) for rule in rules],
                        "properties": {"rulePackVersions": versions},
                    }
                },
                "columnKind": "unicodeCodePoints",
                "artifacts": [{"location": {"uri": path}} for path, _, _ in results],
                "results": sarif_results,
            }
        ],
    }
