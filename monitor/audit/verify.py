"""Verify the stored log: checkpoint signatures, the chain from the last purge cut, signed anchors,
counts, and truncation. Returns a report naming the first problem; never raises for a broken log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine

from monitor.audit import store
from monitor.audit.canonical import GENESIS_HASH
from monitor.audit.chain import verify_rows
from monitor.audit.signing import AuditKey, Checkpoint, signature_problem
from monitor.audit.store import iter_rows, load_checkpoints
from monitor.storage.transactions import read_transaction

NO_KEY_WARNING = (
    "BRANDGUARD_AUDIT_KEY is not set: checkpoint signatures were not verified (chain checks still ran); "
    "without the key a log rewritten with a recomputed chain cannot be detected"
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
        if self.base_seq:
            text += f"; entries up to seq {self.base_seq} purged at a signed cut"
        return text


def check_checkpoints(
    checkpoints: list[Checkpoint], key: AuditKey | None, report: VerifyReport
) -> tuple[int, str, dict[int, list[Checkpoint]]]:
    """Signatures first (a forged checkpoint must not steer the chain check); then the chain start
    (the newest purge cut) and the anchors the chain must pass through."""
    report.checkpoints_total = len(checkpoints)
    if key is not None:
        for checkpoint in checkpoints:
            problem = signature_problem(checkpoint, key)
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


def verify_database(engine: Engine, key: AuditKey | None) -> VerifyReport:
    report = VerifyReport()
    if key is None:
        report.warnings.append(NO_KEY_WARNING)
    with read_transaction(engine) as conn:
        checkpoints = load_checkpoints(conn)
        base_seq, base_hash, anchors = check_checkpoints(checkpoints, key, report)
        if report.problem is not None:
            return report
        chain = verify_rows(
            iter_rows(conn, after_seq=base_seq), prev_hash=base_hash, first_seq=base_seq + 1, anchors=anchors
        )
    report.entries, report.first_seq, report.last_seq = chain.count, chain.first_seq, chain.last_seq
    if chain.problem is not None:
        report.problem = chain.problem.describe()
        return report
    end = chain.last_seq if chain.last_seq is not None else base_seq
    beyond = [c for c in checkpoints if c.seq > end]
    if beyond:
        newest = max(beyond, key=lambda c: c.seq)
        report.problem = (
            f"log truncated: checkpoint #{newest.id} ({newest.kind}) signed seq {newest.seq} "
            f"but the log ends at seq {end} (seq {end + 1}..{newest.seq} missing)"
        )
        return report
    report.checkpoints_verified = chain.anchors_matched + sum(1 for c in checkpoints if c.seq <= base_seq)
    if key is None:
        report.checkpoints_verified = 0
    if key is not None and chain.last_seq is not None:
        _warn_missing_periodic(checkpoints, base_seq, chain.last_seq, report)
    covered = max((c.seq for c in checkpoints), default=0)
    covered = max(covered, base_seq)
    if chain.last_seq is not None and chain.last_seq > covered:
        report.warnings.append(
            f"{chain.last_seq - covered:,} newest entries{f' (after seq {covered})' if covered else ''} "
            "are not yet covered by a signed checkpoint (run `brandguard audit checkpoint`)"
        )
    return report


def _warn_missing_periodic(
    checkpoints: list[Checkpoint], base_seq: int, last_seq: int, report: VerifyReport
) -> None:
    # Appends write a checkpoint every CHECKPOINT_EVERY entries when the key is set. A gap means the
    # checkpoints were deleted (the only way to hide a recomputed chain) or a writer ran without the key.
    every = store.CHECKPOINT_EVERY
    present = {c.seq for c in checkpoints}
    missing = [s for s in range((base_seq // every + 1) * every, last_seq + 1, every) if s not in present]
    if missing:
        report.warnings.append(
            f"{len(missing):,} periodic checkpoint(s) missing (first at seq {missing[0]}): deleted, or "
            "entries appended by a process without BRANDGUARD_AUDIT_KEY"
        )


def _plural(count: int) -> str:
    return "" if count == 1 else "s"
