"""The pure chain check, on rows built in memory: each tamper case is detected and located."""

from __future__ import annotations

from dataclasses import replace

from monitor.audit.canonical import GENESIS_HASH, canonical_json, entry_hash
from monitor.audit.chain import verify_rows
from monitor.audit.signing import make_checkpoint
from tests.monitor.audit.helpers import KEY, T0, make_chain


def test_intact_chain_verifies() -> None:
    rows = make_chain(10)
    result = verify_rows(rows, prev_hash=GENESIS_HASH, first_seq=1)
    assert result.ok and result.count == 10 and result.last_seq == 10 and result.last_hash == rows[-1][7]


def test_changed_field_is_located() -> None:
    rows = make_chain(10)
    seq, ts, _actor, kind, subject, data, prev, digest = rows[4]
    rows[4] = (seq, ts, "someone-else", kind, subject, data, prev, digest)
    result = verify_rows(rows, prev_hash=GENESIS_HASH, first_seq=1)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.position) == (5, 5)
    assert "entry_hash mismatch (field changed)" in result.problem.describe()


def test_changed_field_with_recomputed_hash_breaks_the_next_link() -> None:
    rows = make_chain(10)
    seq, ts, actor, kind, subject, _data, prev, _ = rows[4]
    data = canonical_json({"i": 999})
    rows[4] = (
        seq,
        ts,
        actor,
        kind,
        subject,
        data,
        prev,
        entry_hash(seq=seq, ts=ts, actor=actor, kind=kind, subject=subject, data_text=data, prev_hash=prev),
    )
    result = verify_rows(rows, prev_hash=GENESIS_HASH, first_seq=1)
    assert result.problem is not None and result.problem.seq == 6
    assert "prev_hash" in result.problem.reason


def test_deleted_row_is_located() -> None:
    rows = make_chain(10)
    del rows[3]
    result = verify_rows(rows, prev_hash=GENESIS_HASH, first_seq=1)
    assert result.problem is not None and result.problem.seq == 5
    assert "seq 4 missing" in result.problem.reason


def test_swapped_rows_are_located() -> None:
    rows = make_chain(10)
    # swap contents, keep the seq column (the primary key) in place
    a, b = rows[2], rows[3]
    rows[2], rows[3] = (a[0], *b[1:]), (b[0], *a[1:])
    result = verify_rows(rows, prev_hash=GENESIS_HASH, first_seq=1)
    assert result.problem is not None and result.problem.seq == 3


def test_rewritten_chain_is_caught_by_a_signed_anchor() -> None:
    original = make_chain(10)
    anchor = make_checkpoint(KEY, kind="periodic", seq=8, entry_hash=original[7][7], count=8, ts=T0)
    forged = make_chain(10)
    seq, ts, actor, kind, subject, _data, prev, _ = forged[2]
    data = canonical_json({"i": 3, "备注": "已删除"})
    forged[2] = (
        seq,
        ts,
        actor,
        kind,
        subject,
        data,
        prev,
        entry_hash(seq=seq, ts=ts, actor=actor, kind=kind, subject=subject, data_text=data, prev_hash=prev),
    )
    rest = make_chain(7, start_seq=4, prev_hash=forged[2][7])
    forged = forged[:3] + rest
    assert verify_rows(forged, prev_hash=GENESIS_HASH, first_seq=1).ok  # the chain alone is fooled
    result = verify_rows(forged, prev_hash=GENESIS_HASH, first_seq=1, anchors={8: [replace(anchor, id=1)]})
    assert result.problem is not None and result.problem.seq == 8
    assert "checkpoint #1" in result.problem.reason
    assert (
        verify_rows(original, prev_hash=GENESIS_HASH, first_seq=1, anchors={8: [anchor]}).anchors_matched == 1
    )


def test_mid_log_range_starts_from_given_prev_hash() -> None:
    rows = make_chain(10)
    assert verify_rows(rows[5:], prev_hash=rows[4][7], first_seq=6).ok
    result = verify_rows(rows[5:], prev_hash=GENESIS_HASH, first_seq=6)
    assert result.problem is not None and result.problem.seq == 6
