"""kill -9 of a SQLite writer mid-transaction: the database stays intact and no transaction is half there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.storage.engine import open_database
from monitor.storage.integrity import check_integrity
from monitor.storage.schema import daemon_state, mentions
from monitor.storage.transactions import read_transaction
from tests.integration.crash_writer import BIG_TEXT
from tests.integration.storage_workers import NOW

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
KILLS = 3


def written(url: str) -> int:
    engine = open_database(url, migrate=False)
    try:
        with read_transaction(engine) as conn:
            value = conn.execute(
                select(daemon_state.c.value).where(daemon_state.c.key == "written")
            ).scalar_one()
    finally:
        engine.dispose()
    return int(value["n"])


def test_kill_9_mid_write_leaves_no_half_transaction(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    with engine.begin() as conn:
        conn.execute(daemon_state.insert().values(key="written", value={"n": 0}, updated_at=NOW))
    engine.dispose()

    for _ in range(KILLS):
        before = written(sqlite_url)
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.crash_writer", sqlite_url],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            # Poll for progress (a condition, not a fixed sleep), then kill while it keeps writing.
            deadline = time.monotonic() + 30
            while written(sqlite_url) < before + 3:
                assert child.poll() is None, "writer exited on its own"
                assert time.monotonic() < deadline, "writer made no progress"
                time.sleep(0.01)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        assert child.returncode == -signal.SIGKILL

    engine = open_database(sqlite_url)
    try:
        assert check_integrity(engine) == []
        with read_transaction(engine) as conn:
            rows = conn.execute(select(func.count(), func.min(func.length(mentions.c.text)))).one()
            counter = conn.execute(
                select(daemon_state.c.value).where(daemon_state.c.key == "written")
            ).scalar_one()
    finally:
        engine.dispose()
    count, shortest = rows
    # The mention and the counter bump are one transaction: both or neither survived each kill.
    assert count == counter["n"] >= 3 * KILLS
    assert shortest == len(BIG_TEXT)
