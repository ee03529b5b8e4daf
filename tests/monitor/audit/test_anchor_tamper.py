"""Issue 11's tamper suite: an insider who can write the database (entries and checkpoints) and even
re-sign with a key of their own; each kind is detected and located, with the key and, where the anchor
file makes it possible, without it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from monitor.audit import store
from monitor.audit.anchor import read_anchor_file, sync_anchors
from monitor.audit.keyring import KeyRing, load_keyring
from monitor.audit.periodic import AnchorSettings, audit_tick
from monitor.audit.verify import VerifyReport, verify_database
from tests.monitor.audit import tampering
from tests.monitor.audit.helpers import OTHER_KEY, T0, seed

INTERVAL = timedelta(minutes=60)
NOW = T0 + timedelta(minutes=30)  # the newest entry (T0 + 24 min) is within the interval
LATER = T0 + timedelta(hours=3)  # the daemon would have signed everything by now


@pytest.fixture
def ring() -> KeyRing:
    loaded = load_keyring()
    assert loaded is not None
    return loaded


@pytest.fixture
def anchored(sqlite_engine: Engine, ring: KeyRing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """25 entries, periodic checkpoints at 10 and 20 (#1, #2), a manual one at 25 (#3), all anchored."""
    monkeypatch.setattr(store, "CHECKPOINT_EVERY", 10)
    seed(sqlite_engine, 25)
    with sqlite_engine.begin() as conn:
        store.checkpoint_head(conn, ring.current, now=T0 + timedelta(minutes=25))
    path = tmp_path / "anchors" / "audit-anchors.jsonl"
    assert len(sync_anchors(sqlite_engine, ring, anchor_file=path, channel=None, now=NOW)) == 3
    return path


def verify(engine: Engine, key: KeyRing | None, anchor: Path | None, *, now: object = NOW) -> VerifyReport:
    return verify_database(
        engine,
        key,
        anchor_files=[anchor] if anchor else [],
        now=now,  # type: ignore[arg-type]
        interval=INTERVAL,
    )


def test_healthy_log_passes_strict(sqlite_engine: Engine, ring: KeyRing, anchored: Path) -> None:
    report = verify(sqlite_engine, ring, anchored)
    assert report.ok and report.warnings == [], (report.problem, report.warnings)
    assert report.summary() == (
        "OK: 25 entries, chain intact, 3 checkpoints verified (seq 1..25), 3 anchors agree"
    )
    assert (anchored.stat().st_mode & 0o777, anchored.parent.stat().st_mode & 0o777) == (0o600, 0o700)


def test_anchoring_twice_appends_nothing(sqlite_engine: Engine, ring: KeyRing, anchored: Path) -> None:
    assert sync_anchors(sqlite_engine, ring, anchor_file=anchored, channel=None, now=NOW) == []
    assert len(read_anchor_file(anchored).anchors) == 3


def test_new_entries_within_the_interval_are_a_note_not_a_warning(
    sqlite_engine: Engine, ring: KeyRing, anchored: Path
) -> None:
    seed(sqlite_engine, 2, start=T0 + timedelta(minutes=26))
    report = verify(sqlite_engine, ring, anchored)
    assert report.ok and report.warnings == []
    assert report.notes == [
        "2 newest entries (after seq 25) are younger than the checkpoint interval and not signed yet"
    ]


KEYED: list[tuple[str, Callable[[Engine, Path], None], str]] = [
    ("edit", lambda e, a: tampering.change_field(e, 7), "entry #7 (seq 7): entry_hash mismatch"),
    ("delete middle", lambda e, a: tampering.delete_row(e, 7), "entry #7 (seq 8): seq 7 missing"),
    (
        "delete tail",
        lambda e, a: tampering.truncate_tail(e, 22),
        "log truncated: checkpoint #3 (manual) signed seq 25 but the log ends at seq 22",
    ),
    (
        "delete tail with its checkpoint",
        lambda e, a: tampering.delete_tail_with_checkpoint(e, 22),
        "log truncated: anchor file {anchor} line 3 (manual, seq 25",
    ),
    (
        "delete all checkpoints",
        lambda e, a: tampering.delete_checkpoints(e),
        "anchor file {anchor} line 1 (periodic, seq 10, signed 2026-11-01T08:09:00.000000Z) is missing "
        "from the database (checkpoints deleted)",
    ),
    (
        "recompute the whole chain",
        lambda e, a: (tampering.rewrite_with_recomputed_chain(e, 3), tampering.delete_checkpoints(e)),
        "entry #10 (seq 10): hash differs from signed periodic checkpoint in anchor file {anchor} line 1",
    ),
    (
        "append forged (backdated)",
        lambda e, a: tampering.append_forged(e, T0 - timedelta(days=1)),
        "entry seq 26 (2026-10-31T08:00:00.000000Z) is after the newest signed checkpoint and older than "
        "the checkpoint interval (60 min)",
    ),
    ("reorder", lambda e, a: tampering.swap_rows(e, 7, 8), "entry #7 (seq 7): entry_hash mismatch"),
    (
        "edit checkpoint",
        lambda e, a: tampering.edit_checkpoint_hash(e, 20, "ab" * 32),
        "checkpoint #2 (periodic, seq 20): signature invalid",
    ),
    (
        "replace the key",
        lambda e, a: (
            tampering.rewrite_with_recomputed_chain(e, 3),
            tampering.resign_with(e, OTHER_KEY, [10, 20, 25]),
        ),
        "checkpoint #1 (periodic, seq 10): signature invalid",
    ),
    (
        "edit an anchor line",
        lambda e, a: tampering.edit_anchor_line(a, 3, "ab" * 32),
        "anchor file {anchor} line 3 (manual, seq 25, signed 2026-11-01T08:25:00.000000Z): signature invalid",
    ),
    (
        "remove an anchor line",
        lambda e, a: tampering.remove_anchor_line(a, 2),
        "anchor file {anchor} line 2: numbered 3 (lines removed or moved)",
    ),
]


@pytest.mark.parametrize(("name", "tamper", "expected"), KEYED, ids=[c[0] for c in KEYED])
def test_each_kind_is_detected_and_located_with_the_key(
    sqlite_engine: Engine,
    ring: KeyRing,
    anchored: Path,
    name: str,
    tamper: Callable[[Engine, Path], None],
    expected: str,
) -> None:
    tamper(sqlite_engine, anchored)
    report = verify(sqlite_engine, ring, anchored)
    assert not report.ok, name
    assert report.summary().startswith("FAIL: " + expected.format(anchor=anchored)), report.summary()


# Without the key nothing signed can be trusted, but the anchor file still holds the true hashes.
UNKEYED: list[tuple[str, Callable[[Engine, Path], None], str]] = [
    ("edit", lambda e, a: tampering.change_field(e, 7), "entry #7 (seq 7): entry_hash mismatch"),
    ("delete middle", lambda e, a: tampering.delete_row(e, 7), "entry #7 (seq 8): seq 7 missing"),
    (
        "delete tail with its checkpoint",
        lambda e, a: tampering.delete_tail_with_checkpoint(e, 22),
        "log truncated: anchor file {anchor} line 3",
    ),
    (
        "delete all checkpoints",
        lambda e, a: tampering.delete_checkpoints(e),
        "anchor file {anchor} line 1 (periodic, seq 10",
    ),
    (
        "recompute the whole chain",
        lambda e, a: (tampering.rewrite_with_recomputed_chain(e, 3), tampering.delete_checkpoints(e)),
        "entry #10 (seq 10): hash differs from signed periodic checkpoint in anchor file {anchor} line 1",
    ),
    (
        "replace the key",
        lambda e, a: (
            tampering.rewrite_with_recomputed_chain(e, 3),
            tampering.resign_with(e, OTHER_KEY, [10, 20, 25]),
        ),
        "entry #10 (seq 10): hash differs from signed periodic checkpoint",
    ),
    ("reorder", lambda e, a: tampering.swap_rows(e, 7, 8), "entry #7 (seq 7): entry_hash mismatch"),
    (
        "remove an anchor line",
        lambda e, a: tampering.remove_anchor_line(a, 1),
        "anchor file {anchor} line 1: numbered 2",
    ),
]


@pytest.mark.parametrize(("name", "tamper", "expected"), UNKEYED, ids=[c[0] for c in UNKEYED])
def test_detected_without_the_key_through_the_anchor(
    sqlite_engine: Engine, anchored: Path, name: str, tamper: Callable[[Engine, Path], None], expected: str
) -> None:
    tamper(sqlite_engine, anchored)
    report = verify(sqlite_engine, None, anchored)
    assert report.summary().startswith("FAIL: " + expected.format(anchor=anchored)), report.summary()


def test_without_anchor_the_key_still_fails_deleted_checkpoints_and_stale_tails(
    sqlite_engine: Engine, ring: KeyRing, anchored: Path
) -> None:
    tampering.delete_checkpoints(sqlite_engine)
    assert (
        verify(sqlite_engine, ring, None)
        .summary()
        .startswith("FAIL: seq 10: periodic checkpoint missing (2 in all)")
    )
    tampering.truncate_tail(sqlite_engine, 9)  # below the first periodic checkpoint: only age tells
    assert verify(sqlite_engine, ring, None).ok  # within the interval: cannot be told from a fresh log
    report = verify(sqlite_engine, ring, None, now=LATER)
    assert report.summary().startswith("FAIL: entry seq 1 ("), report.summary()


def test_key_rotation_old_keys_verify_old_checkpoints(
    sqlite_engine: Engine, ring: KeyRing, anchored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_secret = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("BRANDGUARD_AUDIT_KEY", "fedcba9876543210fedcba9876543210")
    monkeypatch.setenv("BRANDGUARD_AUDIT_KEY_ID", "key-2027")
    rotated = load_keyring()
    assert rotated is not None and rotated.old == {}
    report = verify(sqlite_engine, rotated, anchored)
    assert report.summary().startswith(
        f"FAIL: anchor file {anchored} line 1 (periodic, seq 10, signed 2026-11-01T08:09:00.000000Z): "
        "signed with key 'test-key', which is none of the known keys ('key-2027')"
    ), report.summary()
    monkeypatch.setenv("BRANDGUARD_AUDIT_OLD_KEYS", f"test-key:{old_secret}")
    rotated = load_keyring()
    assert rotated is not None and sorted(rotated.old) == ["test-key"]
    seed(sqlite_engine, 6, start=T0 + timedelta(minutes=26))  # seq 30 is a periodic under the new key
    later = T0 + timedelta(minutes=65)
    signed, appended = audit_tick(
        sqlite_engine, AnchorSettings(interval=INTERVAL, anchor_file=anchored), now=later, ring=rotated
    )
    assert signed is not None and signed.key_id == "key-2027"
    assert {c.key_id for c in appended} == {"key-2027"}
    report = verify(sqlite_engine, rotated, anchored, now=later)
    assert report.ok and report.warnings == [], (report.problem, report.warnings)
    assert repr(rotated) == "KeyRing(current='key-2027', old=['test-key'])"


def test_daemon_tick_keeps_strict_passing(sqlite_engine: Engine, ring: KeyRing, anchored: Path) -> None:
    # entries keep arriving; the tick runs every 5 minutes; verify at every tick passes strict
    settings = AnchorSettings(interval=INTERVAL, anchor_file=anchored)
    for minute in range(30, 300, 5):
        now = T0 + timedelta(minutes=minute)
        seed(sqlite_engine, 1, start=now - timedelta(seconds=30))
        audit_tick(sqlite_engine, settings, now=now, ring=ring)
        report = verify(sqlite_engine, ring, anchored, now=now)
        assert report.ok and report.warnings == [], (minute, report.problem, report.warnings)
