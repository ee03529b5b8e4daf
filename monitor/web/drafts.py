"""Checking a draft for the API and the page: the same core and JSON as ``brandguard check``, plus the
audit entry with the logged-in user as actor."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from rules.report import CheckResult, json_document

if TYPE_CHECKING:
    from monitor.audit.group_commit import AsyncGroupCommit

MAX_DRAFT_CHARS = 1_000_000
# An answer lists at most this many findings per draft (the summary counts all): one check of 1,000,000
# characters of 最好的 answered 251 MB before this cap (issue 11).
MAX_RETURNED_FINDINGS = 1000
# Up to this size a check costs a few ms of CPU and runs on the event loop: a hop to the thread pool
# costs about as much as the check and its threads fight the loop for the GIL (measured in
# BENCHMARKS.md). Longer texts go to the pool one at a time so /healthz and the board stay responsive.
INLINE_MAX_CHARS = 20_000

Waivers = Sequence[tuple[str, str, str | None]]


def run_check(text: str, *, path: str, waivers: Waivers) -> CheckResult:
    """``waivers``: (rule, reason, exact text or None). Pure: no audit entry."""
    from rules import Waiver, check

    # The report's text_sha256 is already the SHA-256 of the UTF-8 text (the API refuses unpaired
    # surrogates, the only strings where check()'s surrogatepass encoding would differ).
    report = check(text, waivers=[Waiver(rule=r, reason=why, text=t) for r, why, t in waivers])
    return CheckResult(path, text, report, "utf-8")


async def check_and_record(
    text: str,
    *,
    path: str,
    waivers: Waivers,
    actor: str,
    now: datetime,
    audit: AsyncGroupCommit,
    pool_slot: asyncio.Semaphore,
    others_in_progress: bool = False,
) -> CheckResult:
    """Check, then wait until the ``check`` audit entry is committed (the answer implies the entry).
    ``others_in_progress``: other requests are being served, so the entry may wait for theirs."""
    from monitor.audit.record import CHECK_KIND, check_data

    if len(text) <= INLINE_MAX_CHARS:
        result = run_check(text, path=path, waivers=waivers)
    else:
        async with pool_slot:
            result = await run_in_threadpool(run_check, text, path=path, waivers=waivers)
    report = result.report
    data = check_data(
        path=path,
        text_sha256=report.text_sha256,
        rule_versions=report.rule_versions,
        findings=report.findings,  # masked straight from the Finding objects
    )
    await audit.append(
        actor=actor, kind=CHECK_KIND, subject=path, data=data, now=now, company_expected=others_in_progress
    )
    return result


def check_json(result: CheckResult) -> dict[str, Any]:
    document = json_document([result], native_findings=True)  # for orjson, which writes dataclasses itself
    for entry in document["results"]:
        total = len(entry["findings"])
        if total > MAX_RETURNED_FINDINGS:
            entry["findings"] = entry["findings"][:MAX_RETURNED_FINDINGS]
            entry["findings_total"] = total
            entry["findings_truncated"] = True
    return document
