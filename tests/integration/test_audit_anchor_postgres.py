"""Issue 11's tamper suite on both databases: the same insider moves against PostgreSQL and SQLite."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from monitor.audit import store
from monitor.audit.anchor import sync_anchors
from monitor.audit.keyring import load_keyring
from monitor.audit.signing import KEY_ENV, KEY_ID_ENV
from monitor.audit.verify import verify_database
from tests.monitor.audit.helpers import T0, seed
from tests.monitor.audit.test_anchor_tamper import INTERVAL, KEYED, NOW, UNKEYED

pytestmark = pytest.mark.integration


@pytest.fixture
def anchored(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(KEY_ENV, "0123456789abcdef0123456789abcdef")
    monkeypatch.setenv(KEY_ID_ENV, "test-key")
    monkeypatch.setattr(store, "CHECKPOINT_EVERY", 10)
    ring = load_keyring()
    assert ring is not None
    seed(engine, 25)
    with engine.begin() as conn:
        store.checkpoint_head(conn, ring.current, now=T0 + timedelta(minutes=25))
    path = tmp_path / "anchors" / "audit.jsonl"
    assert len(sync_anchors(engine, ring, anchor_file=path, channel=None, now=NOW)) == 3
    return path


def test_healthy(engine: Engine, anchored: Path) -> None:
    report = verify_database(engine, load_keyring(), anchor_files=[anchored], now=NOW, interval=INTERVAL)
    assert report.ok and report.warnings == [], (report.problem, report.warnings)


@pytest.mark.parametrize(("name", "tamper", "expected"), KEYED, ids=[c[0] for c in KEYED])
def test_with_the_key(
    engine: Engine, anchored: Path, name: str, tamper: Callable[[Engine, Path], None], expected: str
) -> None:
    tamper(engine, anchored)
    report = verify_database(engine, load_keyring(), anchor_files=[anchored], now=NOW, interval=INTERVAL)
    # PostgreSQL never reuses a deleted checkpoint's id (SQLite does): compare without the number
    expected = re.sub(r"#\d+", "#N", "FAIL: " + expected.format(anchor=anchored))
    assert re.sub(r"#\d+", "#N", report.summary()).startswith(expected), report.summary()


@pytest.mark.parametrize(("name", "tamper", "expected"), UNKEYED, ids=[c[0] for c in UNKEYED])
def test_without_the_key(
    engine: Engine, anchored: Path, name: str, tamper: Callable[[Engine, Path], None], expected: str
) -> None:
    tamper(engine, anchored)
    report = verify_database(engine, None, anchor_files=[anchored], now=NOW, interval=INTERVAL)
    assert report.summary().startswith("FAIL: " + expected.format(anchor=anchored)), report.summary()
