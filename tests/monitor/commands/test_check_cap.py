"""`brandguard check` lists at most MAX_FINDINGS_PER_FILE findings per file (issue 11); the summary, the
exit status and the audit entry's counts still cover every finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.commands import check as check_command
from rules.capped import CappedReport, cap_report
from rules.checker import check


def test_json_lists_the_first_findings_and_counts_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(check_command, "MAX_FINDINGS_PER_FILE", 5)
    draft = tmp_path / "dense.txt"
    draft.write_text("最好的" * 30, encoding="utf-8")
    args = ["--data-dir", str(tmp_path / "d"), "check", str(draft), "--format", "json", "--audit", "never"]
    assert main(args) == 1
    captured = capsys.readouterr()
    result = json.loads(captured.out)["results"][0]
    assert len(result["findings"]) == 5 and [f["start"] for f in result["findings"]] == [0, 3, 6, 9, 12]
    assert result["findings_total"] == 30 and result["findings_truncated"] is True
    assert result["summary"]["error"] == 30
    assert "dense.txt: 30 findings, only the first 5 are listed (the summary counts all)" in captured.err


def test_capped_report_keeps_the_verdict_of_findings_past_the_cap() -> None:
    # the only warning-level finding is past the cap: --fail-on warning must still fail
    report = check("最好的" * 3 + "\n" + "限时抢购，仅剩最后3件")
    capped = cap_report(report, 1)
    assert isinstance(capped, CappedReport) and len(capped.findings) == 1
    assert capped.summary == report.summary
    for level in ("error", "warning", "never"):
        assert capped.fails(level) == report.fails(level)
    assert cap_report(report, len(report.findings)) is report
