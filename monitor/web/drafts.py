"""Checking a draft for the API and the page: the same core and JSON as ``brandguard check``, plus the
audit entry with the logged-in user as actor."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from monitor.commands.check import CheckResult, json_document

MAX_DRAFT_CHARS = 1_000_000


def check_draft(
    engine: Engine,
    text: str,
    *,
    path: str,
    waivers: Sequence[tuple[str, str, str | None]],
    actor: str,
    now: datetime,
) -> CheckResult:
    """``waivers``: (rule, reason, exact text or None). Records one ``check`` audit entry."""
    from monitor.audit import record_check
    from rules import Waiver, check

    report = check(text, waivers=[Waiver(rule=r, reason=why, text=t) for r, why, t in waivers])
    report = replace(report, text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    record_check(
        engine,
        actor=actor,
        path=path,
        text_sha256=report.text_sha256,
        rule_versions=report.rule_versions,
        findings=[f.to_dict() for f in report.findings],
        now=now,
    )
    return CheckResult(path, text, report, "utf-8")


def check_json(result: CheckResult) -> dict[str, Any]:
    return json_document([result])
