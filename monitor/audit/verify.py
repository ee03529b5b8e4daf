"""Verify the stored log: checkpoint signatures, the chain from the last purge cut, signed anchors,
counts, and truncation. Returns a report naming the first problem; never raises for a broken log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from monitor.audit import store
from monitor.audit.anchor import AnchoredCheckpoint, describe, read_anchor_file, with_label
from monitor.audit.canonical import GENESIS_HASH, parse_ts
from monitor.audit.chain import Row, verify_rows
from monitor.audit.keyring import KeyRing, as_ring
from monitor.audit.signing import AuditKey, Checkpoint
from monitor.audit.store import iter_rows, load_checkpoints
from monitor.storage.transactions import read_transaction

NO_KEY_WARNING = (
    "BRANDGUARD_AUDIT_KEY is not set: checkpoint signatures were not verified (chain checks still ran); "
    "without the key a log rewritten with a recomputed chain cannot be detected"
)
NO_ANCHOR_WARNING = (
    "no anchor file ([audit] anchor_file or --anchor): whoever can write the database can delete the "
    "newest entries together with their checkpoints"
)


@dataclass(slots=True)
class VerifyReport:
    entries: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    base_seq: int = 0  # entries up to here were purged (a signed purge checkpoint marks the cut)
    checkpoints_total: int = 0
    checkpoints_verified: int = 0
    problem: str | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # expected states, not warnings (--strict passes)
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if not self.ok:
            return f"FAIL: {self.problem}"
        text = (
            f"OK: {self.entries:,} entries, chain intact, "
            f"{self.checkpoints_verified:,} checkpoint{_plural(self.checkpoints_verified)} verified"
        )
        if self.entries:
            text += f" (seq {self.first_seq}..{self.last_seq})"
        if self.anchors:
            agree = "1 anchor agrees" if self.anchors == 1 else f"{self.anchors:,} anchors agree"
            text += f", {agree}"
        if self.base_seq:
            text += f"; entries up to seq {self.base_seq} purged at a signed cut"
        return text


def check_checkpoints(
    checkpoints: list[Checkpoint], key: AuditKey | KeyRing | None, report: VerifyReport
) -> tuple[int, str, dict[int, list[Checkpoint]]]:
    """Signatures first (a forged checkpoint must not steer the chain check); then the chain start
    (the newest purge cut) and the anchors the chain must pass through."""
    report.checkpoints_total = len(checkpoints)
    ring = as_ring(key)
    if ring is not None:
        for checkpoint in checkpoints:
            problem = ring.problem(checkpoint)
            if problem is not None:
                where = f"checkpoint #{checkpoint.id} ({checkpoint.kind}, seq {checkpoint.seq})"
                report.problem = f"{where}: {problem}"
                break
    purges = [c for c in checkpoints if c.kind == "purge"]
    base = max(purges, key=lambda c: (c.seq, c.id or 0)) if purges else None
    base_seq, base_hash = (base.seq, base.entry_hash) if base is not None else (0, GENESIS_HASH)
    anchors: dict[int, list[Checkpoint]] = defaultdict(list)
    for checkpoint in checkpoints:
        if checkpoint.seq > base_seq:
            anchors[checkpoint.seq].append(checkpoint)
        if (
            report.problem is None
            and checkpoint.kind != "purge"
            and checkpoint.seq > base_seq
            and (base is None or (checkpoint.id or 0) > (base.id or 0))
            and checkpoint.count != checkpoint.seq - base_seq
        ):
            report.problem = (
                f"checkpoint #{checkpoint.id} (seq {checkpoint.seq}): signed count {checkpoint.count} "
                f"does not fit the purge cut at seq {base_seq}"
            )
    report.base_seq = base_seq
    return base_seq, base_hash, anchors


def verify_database(
    engine: Engine,
    key: AuditKey | KeyRing | None,
    *,
    anchor_files: Sequence[Path] = (),
    now: datetime | None = None,
    interval: timedelta | None = None,
) -> VerifyReport:
    """Verify the stored log against its own checkpoints and every anchor file given.

    With a key, three things that only a tampering writer (or a stopped daemon) leaves behind are
    failures, not warnings: a missing periodic checkpoint, a log shorter than a signed anchor, and
    (given ``now`` and ``interval``) an entry after the newest checkpoint that is older than the
    checkpoint interval — the daemon signs the head well within it (``checkpoint_if_due``).
    """
    ring = as_ring(key)
    report = VerifyReport()
    if ring is None:
        report.warnings.append(NO_KEY_WARNING)
    files = [read_anchor_file(path) for path in anchor_files]
    for anchor_file in files:
        if anchor_file.problem is not None:
            report.problem = anchor_file.problem
            return report
    anchored = [a for f in files for a in f.anchors]
    if ring is not None:
        for anchor in anchored:
            problem = ring.problem(anchor.checkpoint)
            if problem is not None:
                report.problem = f"{describe(anchor)}: {problem}"
                return report
    with read_transaction(engine) as conn:
        checkpoints = load_checkpoints(conn)
        base_seq, base_hash, anchors = check_checkpoints(checkpoints, ring, report)
        if report.problem is not None:
            return report
        labels = {a.checkpoint.signature: a.label for a in anchored}
        for anchor in anchored:
            if anchor.checkpoint.seq > base_seq:
                anchors[anchor.checkpoint.seq].append(with_label(anchor))
        chain = verify_rows(
            iter_rows(conn, after_seq=base_seq),
            prev_hash=base_hash,
            first_seq=base_seq + 1,
            anchors=anchors,
            labels=labels,
        )
        report.entries, report.first_seq, report.last_seq = chain.count, chain.first_seq, chain.last_seq
        if chain.problem is not None:
            report.problem = chain.problem.describe()
            return report
        end = chain.last_seq if chain.last_seq is not None else base_seq
        if _check_truncation(checkpoints, anchored, end, report) or _check_anchored_in_db(
            checkpoints, anchored, report
        ):
            return report
        covered = max([c.seq for c in checkpoints] + [a.checkpoint.seq for a in anchored] + [base_seq])
        first_unsigned = None
        if chain.last_seq is not None and chain.last_seq > covered:
            first_unsigned = next(iter_rows(conn, after_seq=covered, until_seq=covered + 1), None)
    # the chain matched database checkpoints and anchor copies alike; count the database ones here
    copies = sum(1 for a in anchored if a.checkpoint.seq > base_seq)
    report.checkpoints_verified = (
        chain.anchors_matched - copies + sum(1 for c in checkpoints if c.seq <= base_seq)
    )
    report.anchors = len(anchored)
    if ring is None:
        report.checkpoints_verified = 0
    if ring is not None and chain.last_seq is not None:
        _missing_periodic(checkpoints, base_seq, chain.last_seq, report)
        if report.problem is not None:
            return report
    if ring is not None and not anchor_files:
        report.warnings.append(NO_ANCHOR_WARNING)
    if chain.last_seq is not None and chain.last_seq > covered:
        _unsigned_tail(first_unsigned, chain.last_seq - covered, covered, report, ring, now, interval)
    return report


def _check_truncation(
    checkpoints: list[Checkpoint], anchored: list[AnchoredCheckpoint], end: int, report: VerifyReport
) -> bool:
    beyond = [(c.seq, f"checkpoint #{c.id} ({c.kind})") for c in checkpoints if c.seq > end]
    beyond += [(a.checkpoint.seq, describe(a)) for a in anchored if a.checkpoint.seq > end]
    if not beyond:
        return False
    seq, where = max(beyond)
    report.problem = (
        f"log truncated: {where} signed seq {seq} but the log ends at seq {end} "
        f"(seq {end + 1}..{seq} missing)"
    )
    return True


def _check_anchored_in_db(
    checkpoints: list[Checkpoint], anchored: list[AnchoredCheckpoint], report: VerifyReport
) -> bool:
    # The chain agreed with every anchor, so a checkpoint missing here was deleted from the database:
    # harmless alone, but nobody deletes checkpoints except to hide something.
    stored = {c.signature for c in checkpoints}
    for anchor in anchored:
        if anchor.checkpoint.signature not in stored:
            report.problem = f"{describe(anchor)} is missing from the database (checkpoints deleted)"
            return True
    return False


def _unsigned_tail(
    first: Row | None,
    count: int,
    covered: int,
    report: VerifyReport,
    ring: KeyRing | None,
    now: datetime | None,
    interval: timedelta | None,
) -> None:
    after = f" (after seq {covered})" if covered else ""
    if ring is not None and now is not None and interval is not None and first is not None:
        first_ts = parse_ts(first[1])
        if first_ts < now - interval:
            report.problem = (
                f"entry seq {first[0]} ({first[1]}) is after the newest signed checkpoint and older than "
                f"the checkpoint interval ({_minutes(interval)}): the daemon signs the head well within "
                "it, so its checkpoints were deleted, the entry was appended with a backdated time, or "
                "the daemon is not running (then sign with `brandguard audit checkpoint`)"
            )
            return
        report.notes.append(
            f"{count:,} newest entries{after} are younger than the checkpoint interval and not signed yet"
        )
        return
    report.warnings.append(
        f"{count:,} newest entries{after} are not yet covered by a signed checkpoint "
        "(run `brandguard audit checkpoint`)"
    )


def _missing_periodic(
    checkpoints: list[Checkpoint], base_seq: int, last_seq: int, report: VerifyReport
) -> None:
    # Appends write a checkpoint every CHECKPOINT_EVERY entries when the key is set. A gap means the
    # checkpoints were deleted (the only way to hide a recomputed chain) or a writer ran without the key:
    # with a key configured both are failures (every writer must have the key).
    every = store.CHECKPOINT_EVERY
    present = {c.seq for c in checkpoints}
    missing = [s for s in range((base_seq // every + 1) * every, last_seq + 1, every) if s not in present]
    if missing:
        report.problem = (
            f"seq {missing[0]}: periodic checkpoint missing ({len(missing):,} in all): deleted, or entries "
            "appended by a process without BRANDGUARD_AUDIT_KEY"
        )


def _minutes(interval: timedelta) -> str:
    return f"{int(interval.total_seconds() // 60)} min"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"
