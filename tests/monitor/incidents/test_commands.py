"""`brandguard alerts ...` and `brandguard report sla` through the real CLI entry point."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from monitor import incidents
from monitor.cli import main
from monitor.storage.engine import open_database
from tests.monitor.incidents.helpers import add_mention, make_config

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no ./brandguard.toml here: defaults apply
    monkeypatch.delenv("BRANDGUARD_DATABASE_URL", raising=False)
    monkeypatch.setenv("BRANDGUARD_ACTOR", "wang")
    d = tmp_path / "data"
    d.mkdir()
    engine = open_database(f"sqlite:///{(d / 'brandguard.db').resolve()}")
    add_mention(engine, now=NOW, risk_terms=["曝光"], followers=20_000)
    add_mention(engine, story="s2", now=NOW)
    incidents.process_pending_mentions(engine, make_config(channels=[], routes=[]), NOW)
    engine.dispose()
    return d


def _run(data_dir: Path, *argv: str) -> int:
    return main(["--data-dir", str(data_dir), *argv])


def test_list_and_show(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert _run(data_dir, "alerts", "list", "--open") == 0
    out = capsys.readouterr().out
    assert "#1" in out and "#2" in out and "剩余 3小时0分" in out and "P1" in out
    assert _run(data_dir, "alerts", "show", "1", "--format", "json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == 1 and shown["mentions"] and shown["timeline"]
    assert _run(data_dir, "alerts", "show", "1") == 0
    assert "timeline:" in capsys.readouterr().out


def test_answer_an_incident_and_report(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        assert _run(data_dir, "alerts", "ack", "1") == 0
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert _run(data_dir, "alerts", "respond", "1", "--url", "https://weibo.com/statement") == 0
        assert _run(data_dir, "alerts", "resolve", "1") == 0
        assert _run(data_dir, "alerts", "dismiss", "2", "--reason", "与品牌无关") == 0
    out = capsys.readouterr().out
    assert "incident #1 is now acknowledged (in time" in out and "incident #2 is now dismissed" in out
    assert _run(data_dir, "alerts", "feedback") == 0
    [feedback] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (
        feedback["incident_id"] == 2
        and feedback["verdict"] == "false_alarm"
        and feedback["reason"] == "与品牌无关"
    )
    with time_machine.travel(NOW + timedelta(hours=6), tick=False):
        assert _run(data_dir, "report", "sla", "--since", "30d", "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["answered_in_time"] == 1 and report["dismissed"] == 1 and report["breaches"] == 0
    assert report["ack_minutes"]["median"] == 20 and report["respond_minutes"]["median"] == 60
    with time_machine.travel(NOW + timedelta(hours=6), tick=False):
        assert _run(data_dir, "report", "sla") == 0
    assert "answered in time: 1 of 1 due (100%)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["alerts", "ack", "99"], "no incident with id 99"),
        (["alerts", "respond", "1"], "needs the published text or a link"),
        (["alerts", "respond", "1", "--url", "ftp://x"], "must start with http"),
        (["alerts", "dismiss", "1", "--reason", " "], "needs a reason"),
        (["alerts", "ack", "abc"], "incident id must be a number"),
        (["report", "sla", "--since", "yesterday"], "--since"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    try:
        status = _run(data_dir, *argv)
    except SystemExit as exc:  # argparse type errors exit from the parser
        status = int(exc.code or 0)
    err = capsys.readouterr().err
    assert status == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_invalid_transition_is_exit_2(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(data_dir, "alerts", "resolve", "1") == 0
    assert _run(data_dir, "alerts", "ack", "1") == 2
    assert "cannot acknowledge incident 1: it is resolved" in capsys.readouterr().err


def test_channels_listing(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(data_dir, "alerts", "channels") == 0
    assert "no channels configured" in capsys.readouterr().out
