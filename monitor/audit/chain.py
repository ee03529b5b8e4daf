"""Chain verification over an iterable of stored rows: pure, streaming, stops at the first bad entry.

A row is ``(seq, ts_text, actor, kind, subject, data_text, prev_hash, entry_hash)`` exactly as stored
(``ts_text`` canonical). The loop is written for speed: one string build and one SHA-256 per entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from monitor.audit.canonical import entry_text
from monitor.audit.signing import Checkpoint

Row = tuple[int, str, str, str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int
    reason: str
    position: int | None = None  # 1-based index within the verified range, when it is an entry

    def describe(self) -> str:
        where = f"entry #{self.position} (seq {self.seq})" if self.position is not None else f"seq {self.seq}"
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class ChainResult:
    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str | None = None
    anchors_matched: int = 0
    problem: Problem | None = None
    matched_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_rows(
    rows: Iterable[Row],
    *,
    prev_hash: str,
    first_seq: int,
    anchors: Mapping[int, Sequence[Checkpoint]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> ChainResult:
    """Check seq continuity, each entry's own hash, each prev_hash link, and signed anchor hashes.

    ``first_seq``/``prev_hash`` describe where the range starts: seq 1 and the genesis hash for a whole
    log, or the cut of a purge checkpoint, or the manifest of a mid-log export. ``labels`` names anchors
    that are not database rows (signature -> "anchor file ... line n").
    """
    anchors = anchors or {}
    result = ChainResult()
    expected_seq = first_seq
    previous = prev_hash
    sha256 = hashlib.sha256
    for position, (seq, ts, actor, kind, subject, data_text, stored_prev, stored_hash) in enumerate(rows, 1):
        if seq != expected_seq:
            if seq > expected_seq:
                last_missing = seq - 1
                span = "" if last_missing == expected_seq else f"..{last_missing}"
                missing = f"seq {expected_seq}{span}"
                reason = f"{missing} missing before this entry (rows deleted)"
            else:
                reason = f"out of order: expected seq {expected_seq}"
            result.problem = Problem(seq, reason, position)
            return result
        computed = sha256(
            entry_text(
                seq=seq,
                ts=ts,
                actor=actor,
                kind=kind,
                subject=subject,
                data_text=data_text,
                prev_hash=stored_prev,
            ).encode("utf-8")
        ).hexdigest()
        if computed != stored_hash:
            result.problem = Problem(seq, "entry_hash mismatch (field changed)", position)
            return result
        if stored_prev != previous:
            reason = (
                "prev_hash does not match the previous entry's hash "
                "(previous entry changed with a recomputed hash, or entries moved)"
                if position > 1
                else "prev_hash does not match the start of the range (checkpoint or manifest)"
            )
            result.problem = Problem(seq, reason, position)
            return result
        for checkpoint in anchors.get(seq, ()):
            if checkpoint.entry_hash != stored_hash:
                result.problem = Problem(
                    seq,
                    f"hash differs from signed {checkpoint.kind} checkpoint"
                    f"{_where(checkpoint, labels)}"
                    " (log rewritten with a recomputed chain at or before this entry)",
                    position,
                )
                return result
            result.anchors_matched += 1
            if checkpoint.id is not None:
                result.matched_ids.append(checkpoint.id)
        if result.first_seq is None:
            result.first_seq = seq
        previous = stored_hash
        expected_seq = seq + 1
        result.count = position
        result.last_seq = seq
    result.last_hash = previous
    return result


def _where(checkpoint: Checkpoint, labels: Mapping[str, str] | None) -> str:
    if labels and checkpoint.signature in labels:
        return f" in {labels[checkpoint.signature]}"
    return "" if checkpoint.id is None else f" #{checkpoint.id}"
