"""``brandguard audit ...`` end to end through ``monitor.cli.main`` on a SQLite data dir."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.audit.signing import KEY_ENV
from monitor.cli import main
from monitor.storage.engine import open_database
from tests.monitor.audit import tampering
from tests.monitor.audit.helpers import seed


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRANDGUARD_DATABASE_URL", raising=False)
    directory = tmp_path / "data"
    directory.mkdir()
    engine = open_database(f"sqlite:///{directory / 'brandguard.db'}")
    # recent entries in Shanghai-local 2026-11-20, old enough ones for a purge
    seed(engine, 5, start=datetime(2026, 11, 20, 1, 0, tzinfo=UTC), kind="incident.ack")
    seed(engine, 3, start=datetime(2026, 11, 20, 2, 0, tzinfo=UTC), kind="daemon.tick")
    engine.dispose()
    return directory


def run(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), "audit", *args])


def test_verify_ok_then_tampered(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data_dir, "checkpoint") == 0
    assert run(data_dir, "verify") == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == "OK: 8 entries, chain intact, 1 checkpoint verified (seq 1..8)"
    )
    engine = open_database(f"sqlite:///{data_dir / 'brandguard.db'}")
    tampering.change_field(engine, 4)
    engine.dispose()
    assert run(data_dir, "verify") == 1
    assert capsys.readouterr().out.strip() == "FAIL: entry #4 (seq 4): entry_hash mismatch (field changed)"


def test_verify_without_key_says_so(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV)
    assert run(data_dir, "verify") == 0
    captured = capsys.readouterr()
    assert "BRANDGUARD_AUDIT_KEY is not set" in captured.err and captured.out.startswith("OK: 8 entries")
    assert run(data_dir, "checkpoint") == 2
    assert "BRANDGUARD_AUDIT_KEY is not set" in capsys.readouterr().err


def test_log_filters_and_shanghai_time(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data_dir, "log", "--kind", "daemon.*", "--since", "2026-11-20T10:00") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and "2026-11-20 10:00:00" in lines[0] and "daemon.tick" in lines[0]
    assert run(data_dir, "log", "--actor", "nobody") == 0
    assert capsys.readouterr().out == ""
    assert run(data_dir, "log", "--until", "2026-11-19", "--format", "jsonl") == 0
    assert capsys.readouterr().out == ""


def test_export_and_offline_verify(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nov.csv"
    assert (
        run(
            data_dir,
            "export",
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-20",
            "--format",
            "csv",
            "--out",
            str(out),
        )
        == 0
    )
    assert "exported 8 entries (seq 1..8)" in capsys.readouterr().out
    assert main(["audit", "verify", "--export", str(out)]) == 0
    assert capsys.readouterr().out.startswith("OK: 8 entries")
    out.write_text(out.read_text(encoding="utf-8").replace("incident 2", "incident 9"), encoding="utf-8")
    assert main(["audit", "verify", "--export", str(out)]) == 1
    assert "FAIL: entry #3 (seq 3)" in capsys.readouterr().out


def test_purge_dry_run_then_yes(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # daemon.tick entries are only 6 months; the incident entries in front of them block the prefix
    assert run(data_dir, "purge", "--before", "2030-01-01") == 0
    out = capsys.readouterr().out
    assert "nothing to purge" in out and "stopped at seq 1 (incident.ack)" in out


@pytest.mark.parametrize(
    "args",
    [
        ["log", "--since", "yesterday"],
        ["purge", "--before", "2026-13-01"],
        ["verify", "--export", "nope.jsonl"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert run(data_dir, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("brandguard: error: ") and err.count("\n") == 1


def test_now_is_not_needed_for_the_pure_core() -> None:
    # guard: the CLI is the only place that reads the clock; parse_when is pure given tz
    from zoneinfo import ZoneInfo

    from monitor.commands.audit import parse_when

    tz = ZoneInfo("Asia/Shanghai")
    assert parse_when("2026-11-20", option="--from", tz=tz) == datetime(2026, 11, 19, 16, tzinfo=UTC)
    assert parse_when("2026-11-20", option="--to", tz=tz, end_of_day=True) == datetime(
        2026, 11, 20, 16, tzinfo=UTC
    )
    assert parse_when("2026-11-20T08:00+00:00", option="--x", tz=tz) == datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert parse_when(None, option="--x", tz=tz) is None


def test_stale_unsigned_tail_fails_with_the_key(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 8 entries from days ago and no checkpoint: a running daemon would have signed them long ago
    assert run(data_dir, "verify") == 1
    assert "is after the newest signed checkpoint and older than the checkpoint interval" in (
        capsys.readouterr().out
    )
    assert run(data_dir, "checkpoint") == 0
    assert run(data_dir, "verify") == 0
    # no anchor file configured: a warning, so --strict fails until one is
    assert run(data_dir, "verify", "--strict") == 1
    captured = capsys.readouterr()
    assert "FAIL (--strict): 1 warning(s)" in captured.out and "no anchor file" in captured.err


def test_strict_passes_with_an_anchor_file(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor = tmp_path / "anchors" / "audit.jsonl"
    config = tmp_path / "brandguard.toml"
    config.write_text(f'[audit]\nanchor_file = "{anchor}"\n', encoding="utf-8")
    args = ["--config", str(config), "--data-dir", str(data_dir), "audit"]
    assert main([*args, "checkpoint"]) == 0
    assert f"anchored 1 checkpoint(s) to {anchor}" in capsys.readouterr().out
    assert main([*args, "verify", "--strict"]) == 0
    assert "1 checkpoint verified (seq 1..8), 1 anchor agrees" in capsys.readouterr().out
    tampering.truncate_tail(open_database(f"sqlite:///{data_dir / 'brandguard.db'}"), 6)
    with open_database(f"sqlite:///{data_dir / 'brandguard.db'}").begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_checkpoints")
    assert main([*args, "verify"]) == 1
    assert f"FAIL: log truncated: anchor file {anchor} line 1" in capsys.readouterr().out


def test_purge_dry_run_needs_no_key_but_a_real_purge_does(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV)
    assert run(data_dir, "purge", "--before", "2026-11-21") == 0
    assert "nothing to purge" in capsys.readouterr().out
    assert run(data_dir, "purge", "--before", "2026-11-21", "--yes") == 2
    assert "BRANDGUARD_AUDIT_KEY is not set" in capsys.readouterr().err


def test_purge_yes_leaves_a_verifiable_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = tmp_path / "old"
    directory.mkdir()
    engine = open_database(f"sqlite:///{directory / 'brandguard.db'}")
    seed(engine, 4, start=datetime(2020, 1, 1, tzinfo=UTC), kind="daemon.tick")
    seed(engine, 2, start=datetime(2026, 11, 1, tzinfo=UTC), kind="check")
    engine.dispose()
    assert run(directory, "purge", "--before", "2021-01-01", "--yes") == 0
    assert "purged 4 entries (seq 1..4)" in capsys.readouterr().out
    assert run(directory, "checkpoint") == 0  # what the daemon's tick would have done
    capsys.readouterr()
    assert run(directory, "verify") == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 3 entries, chain intact, 2 checkpoints verified (seq 5..7)"), out
    assert "purged at a signed cut" in out
