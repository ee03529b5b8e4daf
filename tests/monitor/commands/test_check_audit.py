"""`brandguard check` leaves one compliance-log entry per checked draft where an installation exists."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.cli import main
from monitor.storage.engine import open_database
from monitor.storage.schema import audit_log

DRAFT = "全网最好的手机，第一品牌\n"


@pytest.fixture
def draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRANDGUARD_DATABASE_URL", raising=False)
    monkeypatch.setenv("BRANDGUARD_ACTOR", "copywriter-li")
    path = tmp_path / "draft.txt"
    path.write_text(DRAFT, encoding="utf-8")
    return path


def _entries(data_dir: Path) -> list[dict[str, object]]:
    engine = open_database(f"sqlite:///{data_dir / 'brandguard.db'}")
    try:
        with engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(select(audit_log).order_by(audit_log.c.seq))]
    finally:
        engine.dispose()


def test_check_is_recorded_when_the_data_directory_exists(draft: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    data_dir.mkdir()
    assert main(["--data-dir", str(data_dir), "check", str(draft), "--format", "json"]) == 1
    [entry] = _entries(data_dir)
    assert entry["kind"] == "check"
    assert entry["actor"] == "copywriter-li"
    data = entry["data"]
    assert isinstance(data, dict)
    # The log keeps a hash of the draft, never the draft itself.
    assert hashlib.sha256(DRAFT.encode()).hexdigest() in str(data)
    assert "全网最好的手机" not in str(data)
    assert {f["rule_id"] for f in data["findings"]} == {"ad_law.absolute_terms"}


def test_no_database_is_created_in_a_plain_copy_repository(draft: Path, tmp_path: Path) -> None:
    assert main(["check", str(draft), "--format", "json"]) == 1
    assert not (tmp_path / ".brandguard").exists()


def test_audit_never_skips_recording(draft: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    data_dir.mkdir()
    assert main(["--data-dir", str(data_dir), "check", str(draft), "--audit", "never"]) == 1
    assert not (data_dir / "brandguard.db").exists()
