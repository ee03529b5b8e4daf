"""Read-only commands run without the channel secrets; commands that send still insist on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main

CONFIG = """
[[brands]]
name = "云帆汽车"
query = "云帆汽车"

[[sources]]
name = "news"
kind = "rss"
url = "https://news.example/feed.xml"

[[channels]]
name = "pr"
kind = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=x"
secret_env = "BG_TEST_DINGTALK_SECRET"

[[routes]]
channels = ["pr"]
"""


@pytest.fixture
def config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("BG_TEST_DINGTALK_SECRET", raising=False)
    monkeypatch.delenv("BRANDGUARD_DATABASE_URL", raising=False)
    path = tmp_path / "brandguard.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "command", [["users", "list"], ["sources", "list"], ["alerts", "list"], ["alerts", "channels"]]
)
def test_read_only_commands_need_no_secrets(
    config_path: Path, tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--config", str(config_path), "--data-dir", str(tmp_path / "data"), *command])
    assert code == 0, capsys.readouterr().err
    assert "BG_TEST_DINGTALK_SECRET" not in capsys.readouterr().err


def test_the_daemon_still_needs_them(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--config", str(config_path), "--data-dir", str(tmp_path / "data"), "run", "--once"])
    assert code == 2
    err = capsys.readouterr().err
    assert "channels[0].secret_env: environment variable BG_TEST_DINGTALK_SECRET is not set" in err
    assert err.count("\n") == 1


def test_demo_help_names_the_listen_address(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert "--listen HOST:PORT" in capsys.readouterr().out


def test_demo_rejects_a_bad_listen_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "demo", "--listen", "nowhere"]) == 2
    assert "--listen must be HOST:PORT" in capsys.readouterr().err
