"""Files 0600 and directories 0700 whatever the umask (issue 11), and `brandguard doctor`."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.audit.anchor import append_anchors
from monitor.audit.export import export_log
from monitor.audit.signing import load_key
from monitor.cli import main
from monitor.context import Context
from monitor.storage.files import loose_modes
from monitor.web.auth import session_secret
from tests.monitor.audit.helpers import seed


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    previous = os.umask(0o000)  # the loosest umask: nothing may come out group/world readable anyway
    try:
        yield
    finally:
        os.umask(previous)


def test_database_wal_shm_and_data_dir_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRANDGUARD_DATABASE_URL", raising=False)
    ctx = Context(config_path=None, data_dir=tmp_path / "data")
    try:
        seed(ctx.engine, 3)
        with ctx.engine.connect() as conn:  # an open connection keeps -wal and -shm on disk
            conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar_one()
            files = {p.name: mode(p) for p in (tmp_path / "data").iterdir()}
        assert mode(tmp_path / "data") == 0o700
        assert files == {"brandguard.db": 0o600, "brandguard.db-wal": 0o600, "brandguard.db-shm": 0o600}
    finally:
        ctx.close()


def test_session_key_exports_and_anchors_are_private(tmp_path: Path, sqlite_url: str) -> None:
    from monitor.storage.engine import open_database

    session_secret(tmp_path / "web")
    assert (mode(tmp_path / "web"), mode(tmp_path / "web" / "web-secret.key")) == (0o700, 0o600)
    engine = open_database(sqlite_url)
    seed(engine, 3)
    out = tmp_path / "export.jsonl"
    export_log(
        engine, out, fmt="jsonl", since=None, until=None, key=load_key(), actor="t", now=datetime.now(UTC)
    )
    assert mode(out) == mode(tmp_path / "export.jsonl.manifest.json") == 0o600
    anchor = tmp_path / "anchors" / "a.jsonl"
    append_anchors(anchor, [])
    assert (mode(anchor.parent), mode(anchor)) == (0o700, 0o600)
    engine.dispose()


def test_loose_modes_are_named_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "db").write_text("x")
    os.chmod(tmp_path / "db", 0o644)
    os.chmod(tmp_path, 0o755)
    assert loose_modes([tmp_path, tmp_path / "db", tmp_path / "absent"]) == [
        f"{tmp_path}: directory mode 0755, expected 0700 (chmod 700 {tmp_path})",
        f"{tmp_path / 'db'}: file mode 0644, expected 0600 (chmod 600 {tmp_path / 'db'})",
    ]


def test_doctor_warns_then_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRANDGUARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("BRANDGUARD_AUDIT_KEY", raising=False)
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "brandguard.db").write_bytes(b"")
    os.chmod(data / "brandguard.db", 0o644)
    config = tmp_path / "brandguard.toml"
    config.write_text(
        f'[daemon]\nallow_networks = ["0.0.0.0/0"]\n[audit]\nanchor_file = "{data / "anchors.jsonl"}"\n'
    )
    base = ["--config", str(config), "--data-dir", str(data), "doctor"]
    assert main(base) == 1
    err = capsys.readouterr().err
    assert f"{data}: directory mode 0755" in err
    assert f"{data / 'brandguard.db'}: file mode 0644" in err
    assert "is inside the data directory" in err
    assert "daemon.allow_networks[0]: 0.0.0.0/0 allows every address" in err
    assert "BRANDGUARD_AUDIT_KEY is not set" in err
    monkeypatch.setenv("BRANDGUARD_AUDIT_KEY", "0123456789abcdef0123456789abcdef")
    os.chmod(data, 0o700)
    os.chmod(data / "brandguard.db", 0o600)
    config.write_text(f'[audit]\nanchor_file = "{tmp_path / "anchors" / "a.jsonl"}"\n')
    assert main(base) == 0
    assert capsys.readouterr().out == "OK: no problems found\n"
