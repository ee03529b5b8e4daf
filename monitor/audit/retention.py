"""Retention: which entries may be purged. Pure.

A hash chain can only lose a *prefix*: deleting an entry from the middle would break every later link.
So a purge removes the longest prefix whose entries are all past their own retention and before the
requested date; a short-retention entry (``daemon.*``, 6 months) behind a compliance entry that must be
kept (3 years) stays until that compliance entry expires too. That errs on the side of keeping records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

COMPLIANCE_KINDS = ("check", "incident", "notify", "config", "users", "model", "rules", "audit")
DEFAULT_COMPLIANCE_DAYS = 1095  # >= 3 years
DEFAULT_OTHER_DAYS = 183  # >= 6 months


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    compliance_days: int = DEFAULT_COMPLIANCE_DAYS
    other_days: int = DEFAULT_OTHER_DAYS

    def days_for(self, kind: str) -> int:
        family = kind.split(".", 1)[0]
        return self.compliance_days if family in COMPLIANCE_KINDS else self.other_days


@dataclass(frozen=True, slots=True)
class Cut:
    seq: int  # last entry that may go (the base seq when nothing may)
    count: int
    blocked_by: tuple[int, str, datetime] | None  # (seq, kind, keep until) of the first entry that stays


def find_cut(
    entries: Iterable[tuple[int, datetime, str]],
    *,
    base_seq: int,
    before: datetime,
    now: datetime,
    policy: RetentionPolicy,
) -> Cut:
    """``entries`` are ``(seq, ts, kind)`` in seq order after ``base_seq``."""
    cut, count = base_seq, 0
    for seq, ts, kind in entries:
        keep_until = ts + timedelta(days=policy.days_for(kind))
        if ts >= before:
            return Cut(cut, count, None)
        if keep_until > now:
            return Cut(cut, count, (seq, kind, keep_until))
        cut, count = seq, count + 1
    return Cut(cut, count, None)
