"""`brandguard alerts assign | note | merge | split | oncall` through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main
from tests.monitor.incidents.test_commands import data_dir  # noqa: F401  (the shared fixture)


def _run(data_dir: Path, *argv: str) -> int:  # noqa: F811
    return main(["--data-dir", str(data_dir), *argv])


def test_assign_note_merge_split(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert _run(data_dir, "alerts", "assign", "1", "张三") == 0
    assert _run(data_dir, "alerts", "note", "1", "已联系门店") == 0
    assert _run(data_dir, "alerts", "list") == 0
    out = capsys.readouterr().out
    assert "incident #1 owner: 张三" in out and "note 1 added to incident #1" in out and "owner 张三" in out
    assert _run(data_dir, "alerts", "merge", "2", "--into", "1") == 0
    assert "incident #2 merged into #1 (2 mentions" in capsys.readouterr().out
    assert _run(data_dir, "alerts", "split", "1", "--mentions", "2") == 0
    assert "new incident #3 with 1 mention(s) split from #1" in capsys.readouterr().out
    assert _run(data_dir, "alerts", "show", "1") == 0
    out = capsys.readouterr().out
    assert "owner 张三" in out and "已联系门店" in out
    assert _run(data_dir, "alerts", "assign", "1", "--clear") == 0
    assert "(nobody)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["alerts", "merge", "1", "--into", "1"], "itself"),
        (["alerts", "merge", "1", "--into", "99"], "no incident with id 99"),
        (["alerts", "split", "1", "--mentions", "a,b"], "comma-separated mention ids"),
        (["alerts", "split", "1", "--mentions", "1"], "leaves nothing behind"),
        (["alerts", "note", "1", " "], "some text"),
        (["alerts", "assign", "1"], "name the owner"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    data_dir: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    try:
        status = _run(data_dir, *argv)
    except SystemExit as exc:  # argparse rejects the value itself
        status = int(exc.code or 0)
    assert status == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_oncall_without_a_rota(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert _run(data_dir, "alerts", "oncall") == 0
    assert "no on-call rota configured" in capsys.readouterr().out
