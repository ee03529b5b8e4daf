"""`brandguard init` and `brandguard config check` end to end through monitor.cli.main."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_an_example_that_passes_check(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0
    assert (in_tmp / "brandguard.toml").read_text(encoding="utf-8").startswith("# brandguard.toml")
    capsys.readouterr()
    assert main(["config", "check"]) == 0
    assert capsys.readouterr().out == "OK: 2 brands, 6 sources, 1 channels\n"


def test_init_refuses_to_overwrite_without_force(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "brandguard.toml").write_text("# mine\n", encoding="utf-8")
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    assert err == "brandguard: error: brandguard.toml already exists; use --force to overwrite it\n"
    assert (in_tmp / "brandguard.toml").read_text(encoding="utf-8") == "# mine\n"
    assert main(["init", "--force"]) == 0
    assert (in_tmp / "brandguard.toml").read_text(encoding="utf-8") != "# mine\n"


def test_init_honours_config_path(in_tmp: Path) -> None:
    assert main(["--config", "team.toml", "init"]) == 0
    assert (in_tmp / "team.toml").is_file() and not (in_tmp / "brandguard.toml").exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "[[sources]]\nname='a'\nkind='rss'\nurl='https://a.example/'\ninterval=5\n",
            "brandguard.toml: sources[0].interval: must be >= 60 (got 5)",
        ),
        ("[storage\n", "brandguard.toml: invalid TOML: "),
    ],
)
def test_check_prints_one_line_and_exits_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], text: str, error: str
) -> None:
    (in_tmp / "brandguard.toml").write_text(text, encoding="utf-8")
    assert main(["config", "check"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"brandguard: error: {error}")
    assert captured.err.count("\n") == 1


def test_check_explicit_file_and_missing_config(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check"]) == 2
    assert "no brandguard.toml here" in capsys.readouterr().err
    (in_tmp / "other.toml").write_text("[[brands]]\nname='b'\nquery='b'\n", encoding="utf-8")
    assert main(["config", "check", "other.toml"]) == 0
    assert capsys.readouterr().out == "OK: 1 brands, 0 sources, 0 channels\n"


def test_check_warns_about_lower_case_operators_but_passes(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "brandguard.toml").write_text("[[brands]]\nname='b'\nquery='星河 or 手机'\n", encoding="utf-8")
    assert main(["config", "check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "OK: 1 brands, 0 sources, 0 channels\n"
    assert (
        "brandguard: warning: brandguard.toml: brands[0].query: "
        "'or' at position 3 is a search term; write OR for the operator\n"
    ) in captured.err


def test_check_warns_loudly_about_a_year_without_holiday_data(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import time_machine

    config = "[[brands]]\nname='b'\nquery='b'\n"
    (in_tmp / "brandguard.toml").write_text(config, encoding="utf-8")
    with time_machine.travel("2026-12-02 03:00:00+00:00", tick=False):
        assert main(["config", "check"]) == 0
    err = capsys.readouterr().err
    assert "alerts.holiday_years: no PRC holiday data for 2027" in err
    extra = "[alerts]\nholiday_years = [{ year = 2027, holidays = ['2027-01-01'] }]\n"
    (in_tmp / "brandguard.toml").write_text(config + extra, encoding="utf-8")
    with time_machine.travel("2026-12-02 03:00:00+00:00", tick=False):
        assert main(["config", "check"]) == 0
    assert "holiday" not in capsys.readouterr().err
