"""Purge a prefix of the log and leave a signed purge checkpoint at the cut, so the rest verifies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from monitor.audit.canonical import GENESIS_HASH
from monitor.audit.chain import verify_rows
from monitor.audit.errors import AuditError, AuditKeyMissing
from monitor.audit.retention import Cut, RetentionPolicy, find_cut
from monitor.audit.signing import KEY_ENV, AuditKey
from monitor.audit.store import append, iter_rows, latest_purge, write_checkpoint
from monitor.storage import audit_repo
from monitor.storage.times import to_db


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cut: Cut
    base_seq: int
    dry_run: bool


def purge(
    engine: Engine,
    *,
    before: datetime,
    now: datetime,
    policy: RetentionPolicy,
    key: AuditKey | None,
    actor: str,
    dry_run: bool = False,
) -> PurgeResult:
    """Delete entries up to the cut in one transaction, after checking the part about to go.

    The purged range is verified first: purging a broken range would destroy the evidence. The purge
    itself is logged (``audit.purge``) after the cut, so the record of who purged what stays.
    """
    with engine.begin() as conn:
        audit_repo.lock_log(conn)
        previous = latest_purge(conn)
        base_seq, base_hash = (previous.seq, previous.entry_hash) if previous else (0, GENESIS_HASH)
        rows = audit_repo.iter_seq_ts_kind(conn, after_seq=base_seq)
        cut = find_cut(rows, base_seq=base_seq, before=to_db(before), now=now, policy=policy)
        rows.close()  # find_cut stops at the first entry that stays
        if dry_run or cut.count == 0:
            return PurgeResult(cut=cut, base_seq=base_seq, dry_run=dry_run)
        if key is None:
            raise AuditKeyMissing(f"{KEY_ENV} is not set: a purge must leave a signed checkpoint at the cut")
        chain = verify_rows(
            iter_rows(conn, after_seq=base_seq, until_seq=cut.seq),
            prev_hash=base_hash,
            first_seq=base_seq + 1,
        )
        if chain.problem is not None:
            raise AuditError(f"refusing to purge: the log does not verify at {chain.problem.describe()}")
        assert chain.last_hash is not None
        write_checkpoint(conn, key, kind="purge", seq=cut.seq, entry_hash=chain.last_hash, now=now)
        audit_repo.delete_through(conn, cut.seq)
        append(
            conn,
            actor=actor,
            kind="audit.purge",
            subject=f"seq {base_seq + 1}..{cut.seq}",
            data={"before": before, "purged": cut.count, "cut_seq": cut.seq, "cut_hash": chain.last_hash},
            now=now,
            key=key,
        )
    return PurgeResult(cut=cut, base_seq=base_seq, dry_run=False)
