"""The tamper cases, append/rollback, export and purge against a real PostgreSQL (and SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from monitor import audit
from monitor.audit import store
from monitor.audit.export import export_log, verify_export
from monitor.audit.purge import purge
from monitor.audit.retention import RetentionPolicy
from monitor.audit.signing import KEY_ENV, KEY_ID_ENV, load_key
from monitor.audit.verify import verify_database
from monitor.storage.schema import audit_log
from tests.monitor.audit import tampering
from tests.monitor.audit.helpers import T0, seed

pytestmark = pytest.mark.integration


@pytest.fixture
def seeded(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv(KEY_ENV, "integration-key")
    monkeypatch.setenv(KEY_ID_ENV, "it")
    monkeypatch.setattr(store, "CHECKPOINT_EVERY", 10)
    seed(engine, 25)
    return engine


CASES: list[tuple[str, Callable[[Engine], None], str]] = [
    ("changed field", lambda e: tampering.change_field(e, 7), "FAIL: entry #7 (seq 7): entry_hash mismatch"),
    ("deleted row", lambda e: tampering.delete_row(e, 7), "FAIL: entry #7 (seq 8): seq 7 missing"),
    ("swapped rows", lambda e: tampering.swap_rows(e, 7, 8), "FAIL: entry #7 (seq 7): entry_hash mismatch"),
    ("truncated tail", lambda e: tampering.truncate_tail(e, 17), "FAIL: log truncated: checkpoint #2"),
    (
        "rewritten chain",
        lambda e: tampering.rewrite_with_recomputed_chain(e, 3),
        "FAIL: entry #10 (seq 10): hash differs",
    ),
]


def test_intact(seeded: Engine) -> None:
    assert verify_database(seeded, load_key()).summary() == (
        "OK: 25 entries, chain intact, 2 checkpoints verified (seq 1..25)"
    )


@pytest.mark.parametrize(("name", "tamper", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tampering(seeded: Engine, name: str, tamper: Callable[[Engine], None], expected: str) -> None:
    tamper(seeded)
    assert verify_database(seeded, load_key()).summary().startswith(expected)


def test_rollback_and_json_text_round_trip(seeded: Engine) -> None:
    with pytest.raises(RuntimeError), seeded.begin() as conn:
        audit.append(conn, actor="x", kind="config.change", subject="", data={}, now=T0)
        raise RuntimeError
    with seeded.begin() as conn:
        entry = audit.append(
            conn,
            actor="张三",
            kind="config.change",
            subject="brandguard.toml",
            data={"浮点": 0.1, "nested": {"b": [1, "\u2028"], "a": None}},
            now=T0,
        )
    with seeded.connect() as conn:
        assert (
            conn.execute(select(audit_log.c.data).where(audit_log.c.seq == entry.seq)).scalar_one()
            == entry.data
        )
    assert entry.seq == 26 and verify_database(seeded, load_key()).ok


def test_export_and_purge(seeded: Engine, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    export_log(seeded, out, fmt="jsonl", since=None, until=None, key=load_key(), actor="a", now=T0)
    assert verify_export(out, load_key()).ok
    policy = RetentionPolicy(compliance_days=1, other_days=1)
    result = purge(
        seeded,
        before=T0 + timedelta(minutes=12),
        now=T0 + timedelta(days=5),
        policy=policy,
        key=load_key(),
        actor="admin",
    )  # type: ignore[arg-type]
    assert result.cut.seq == 12
    report = verify_database(seeded, load_key())
    assert report.ok and report.first_seq == 13, report.summary()
