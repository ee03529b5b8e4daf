"""The healthy running system passes `audit verify --strict` (issue 11): `brandguard run --once` with the
key and an anchor file crawls, records, signs and anchors; deleting the newest entries together with
their checkpoint afterwards is caught by the anchor file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.misbehaving_server import misbehaving_server, static
from tests.integration.test_daemon_cli import ROOT, RSS, _write_config

pytestmark = pytest.mark.integration

KEY = "0123456789abcdef0123456789abcdef"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANDGUARD_")}
    env["BRANDGUARD_AUDIT_KEY"] = KEY
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )


def test_run_once_leaves_a_log_that_passes_strict_verify(tmp_path: Path) -> None:
    anchor = tmp_path / "anchors" / "audit.jsonl"
    with misbehaving_server({"/feed.xml": static(RSS)}) as server:
        config = _write_config(tmp_path / "brandguard.toml", server.url("/feed.xml"))
        with config.open("a", encoding="utf-8") as handle:
            handle.write(f'\n[audit]\nanchor_file = "{anchor}"\n')
        common = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
        once = _cli(*common, "run", "--once", "--quiet")
        assert once.returncode == 0, once.stderr
    verify = _cli(*common, "audit", "verify", "--strict")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "1 anchor agrees" in verify.stdout
    assert (anchor.stat().st_mode & 0o777, anchor.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    with sqlite3.connect(tmp_path / "data" / "brandguard.db") as conn:
        conn.execute("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
        conn.execute("DELETE FROM audit_checkpoints")
    tampered = _cli(*common, "audit", "verify")
    assert tampered.returncode == 1
    assert f"FAIL: log truncated: anchor file {anchor} line 1" in tampered.stdout
