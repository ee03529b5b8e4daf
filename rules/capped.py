"""A report that lists only its first findings but keeps the counts and the verdict of all of them.

One draft of 1,000,000 characters of 最好的 has 333,334 findings; printing them all made a 251 MB answer
and a 1 GB process (issue 11). Front ends list the first ``limit`` (by position) and say how many there
were; ``summary`` and ``fails`` are those of the whole report, so exit codes and counts do not change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rules.findings import Report

DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class CappedReport(Report):
    findings_total: int = 0
    full_summary: dict[str, int] = field(default_factory=dict)
    full_fails: dict[str, bool] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        return dict(self.full_summary)

    def fails(self, fail_on: str) -> bool:
        return self.full_fails[fail_on]


def cap_report(report: Report, limit: int = DEFAULT_LIMIT) -> Report:
    """``report`` itself when it has at most ``limit`` findings, else a ``CappedReport``."""
    if len(report.findings) <= limit:
        return report
    return CappedReport(
        findings=report.findings[:limit],
        text_sha256=report.text_sha256,
        rule_versions=report.rule_versions,
        findings_total=len(report.findings),
        full_summary=report.summary,
        full_fails={level: report.fails(level) for level in ("error", "warning", "never")},
    )
