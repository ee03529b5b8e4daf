"""``verify_database`` on SQLite: every tamper case is detected and located."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from monitor.audit import store
from monitor.audit.signing import load_key
from monitor.audit.verify import verify_database
from tests.monitor.audit import tampering
from tests.monitor.audit.helpers import seed

CASES: list[tuple[str, Callable[[Engine], None], str]] = [
    (
        "changed field",
        lambda e: tampering.change_field(e, 7),
        "entry #7 (seq 7): entry_hash mismatch (field changed)",
    ),
    ("deleted row", lambda e: tampering.delete_row(e, 7), "entry #7 (seq 8): seq 7 missing"),
    ("swapped rows", lambda e: tampering.swap_rows(e, 7, 8), "entry #7 (seq 7): entry_hash mismatch"),
    (
        "truncated tail",
        lambda e: tampering.truncate_tail(e, 17),
        "log truncated: checkpoint #2 (periodic) signed seq 20",
    ),
    (
        "rewritten chain",
        lambda e: tampering.rewrite_with_recomputed_chain(e, 3),
        "entry #10 (seq 10): hash differs from signed periodic checkpoint #1",
    ),
    (
        "forged checkpoint",
        tampering.forge_checkpoint_count,
        "checkpoint #1 (periodic, seq 9): signature invalid",
    ),
]


@pytest.fixture
def seeded(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(store, "CHECKPOINT_EVERY", 10)
    seed(sqlite_engine, 25)
    return sqlite_engine


def test_intact_log_verifies_with_counts(seeded: Engine) -> None:
    report = verify_database(seeded, load_key())
    assert report.ok, report.problem
    assert report.summary() == "OK: 25 entries, chain intact, 2 checkpoints verified (seq 1..25)"
    assert any("5 newest entries" in w for w in report.warnings)


@pytest.mark.parametrize(("name", "tamper", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tampering_is_detected_and_located(
    seeded: Engine, name: str, tamper: Callable[[Engine], None], expected: str
) -> None:
    tamper(seeded)
    report = verify_database(seeded, load_key())
    assert not report.ok
    assert report.summary().startswith(f"FAIL: {expected}"), report.summary()


def test_without_key_chain_still_checked_and_warned(seeded: Engine) -> None:
    report = verify_database(seeded, None)
    assert report.ok and report.checkpoints_verified == 0
    assert any("BRANDGUARD_AUDIT_KEY is not set" in w for w in report.warnings)
    tampering.change_field(seeded, 3)
    assert verify_database(seeded, None).problem == "entry #3 (seq 3): entry_hash mismatch (field changed)"


def test_deleted_checkpoints_plus_rewrite_fails_with_the_key(seeded: Engine) -> None:
    # Without any checkpoint left nothing signed contradicts a recomputed chain; the missing periodic
    # checkpoints are the trace, and with the key configured that is a failure (issue 11).
    tampering.rewrite_with_recomputed_chain(seeded, 3)
    with seeded.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_checkpoints")
    report = verify_database(seeded, load_key())
    assert report.problem is not None
    assert report.problem.startswith("seq 10: periodic checkpoint missing (2 in all)")
