"""What of a draft check may enter the log: rule ids, severities, spans and waivers, never draft text.

PIPL: the log must not become a second copy of the personal data a check just found. Findings in the
``pii``/``pipl`` categories keep only a masked form (every digit -> ``*``, e-mail local part hidden);
other findings keep the matched term, which is an Advertising-Law word from a rule pack, not personal data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

PERSONAL_CATEGORIES = frozenset({"pii", "pipl"})
_DIGIT = re.compile(r"\d")
_EMAIL_LOCAL = re.compile(r"[^\s@]+(?=@)")
_LONG_DIGITS = re.compile(r"\d{5,}")


def mask_personal(text: str) -> str:
    masked = _EMAIL_LOCAL.sub(lambda m: m.group(0)[:1] + "*" * (len(m.group(0)) - 1), text)
    return _DIGIT.sub("*", masked)


def mask_free_text(text: str) -> str:
    """Waiver reasons are typed by people and may quote a phone number; hide long digit runs."""
    return _LONG_DIGITS.sub(lambda m: "*" * len(m.group(0)), text)


def _fields(finding: Any) -> tuple[Any, ...]:
    """(rule_id, category, severity, start, end, line, text, waived, reason) of a mapping or an object;
    one type test per finding, as this runs for every finding of every API check."""
    if isinstance(finding, Mapping):
        get = finding.get
        return (
            get("rule_id", ""),
            get("category", ""),
            get("severity", ""),
            get("start", 0),
            get("end", 0),
            get("line"),
            get("text", ""),
            get("waived", False),
            get("waiver_reason") or get("reason"),
        )
    return (
        getattr(finding, "rule_id", ""),
        getattr(finding, "category", ""),
        getattr(finding, "severity", ""),
        getattr(finding, "start", 0),
        getattr(finding, "end", 0),
        getattr(finding, "line", None),
        getattr(finding, "text", ""),
        getattr(finding, "waived", False),
        getattr(finding, "waiver_reason", None) or getattr(finding, "reason", None),
    )


def masked_finding(finding: Any) -> dict[str, Any]:
    rule_id, category, severity, start, end, line, text, waived, reason = _fields(finding)
    category = str(category or "")
    text = str(text or "")
    waived = bool(waived)
    record: dict[str, Any] = {
        "rule_id": str(rule_id),
        "category": category,
        "severity": str(severity),
        "span": [int(start or 0), int(end or 0)],
        "waived": waived,
    }
    if line is not None:
        record["line"] = int(line)
    if category in PERSONAL_CATEGORIES:
        record["masked"] = mask_personal(text)
    elif text:
        record["term"] = text
    if waived:
        record["reason"] = mask_free_text(str(reason or ""))
    return record


def masked_findings(findings: Sequence[Any]) -> list[dict[str, Any]]:
    return [masked_finding(f) for f in findings]


def summarise(findings: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    summary = {"error": 0, "warning": 0, "info": 0, "waived": 0}
    for finding in findings:
        if finding["waived"]:
            summary["waived"] += 1
        elif finding["severity"] in summary:
            summary[finding["severity"]] += 1
    return summary


def count_findings(findings: Sequence[Any]) -> dict[str, int]:
    """``summarise`` without masking each finding (for very many findings)."""
    summary = {"error": 0, "warning": 0, "info": 0, "waived": 0}
    for finding in findings:
        _rule, _category, severity, *_rest, waived, _reason = _fields(finding)
        if waived:
            summary["waived"] += 1
        elif severity in summary:
            summary[severity] += 1
    return summary
