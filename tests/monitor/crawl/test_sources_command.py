from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.storage.engine import open_database

from .fakes import NOW, add_source


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    engine = open_database(f"sqlite:///{tmp_path / 'brandguard.db'}")
    add_source(
        engine, "健康源", last_success_at=NOW, next_check_at=NOW + timedelta(minutes=15), fetch_count=3
    )
    add_source(
        engine,
        "坏源",
        consecutive_errors=4,
        first_error_at=NOW - timedelta(hours=2),
        last_error="HTTP 500",
    )
    add_source(
        engine,
        "停用源",
        consecutive_errors=90,
        disabled_at=NOW,
        disabled_reason="failing since 2026-11-22 08:00 UTC: connect timeout",
    )
    add_source(engine, "限流源", last_success_at=NOW, last_error="HTTP 429 Too Many Requests")
    engine.dispose()
    return tmp_path


def test_sources_list_shows_health_errors_and_why_disabled(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data_dir), "sources", "list"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line and not line.startswith(" ")}
    assert lines["健康源"].split()[2] == "ok"
    assert lines["坏源"].split()[2] == "failing" and " 4 " in lines["坏源"]
    assert lines["停用源"].split()[2] == "disabled"
    assert lines["限流源"].split()[2] == "throttled"
    assert "disabled 2026-11-23 16:00: failing since 2026-11-22 08:00 UTC: connect timeout" in out
    assert "last error: HTTP 500" in out
    assert "times in Asia/Shanghai" in out


def test_sources_list_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "sources", "list", "--format", "json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["停用源"]["health"] == "disabled" and "connect timeout" in rows["停用源"]["disabled_reason"]
    assert rows["健康源"]["fetch_count"] == 3
    assert rows["坏源"]["consecutive_errors"] == 4
