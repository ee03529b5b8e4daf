"""One compliance-log entry as the rest of the code sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.audit.canonical import canonical_json, entry_hash, format_ts


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    ts: datetime  # tz-aware UTC
    actor: str
    kind: str
    subject: str
    data: dict[str, Any]
    prev_hash: str
    entry_hash: str

    def to_record(self) -> dict[str, Any]:
        """The exported form: the hashed fields plus ``entry_hash`` (times as canonical strings)."""
        return {
            "seq": self.seq,
            "ts": format_ts(self.ts),
            "actor": self.actor,
            "kind": self.kind,
            "subject": self.subject,
            "data": self.data,
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
        }

    def computed_hash(self) -> str:
        return entry_hash(
            seq=self.seq,
            ts=format_ts(self.ts),
            actor=self.actor,
            kind=self.kind,
            subject=self.subject,
            data_text=canonical_json(self.data),
            prev_hash=self.prev_hash,
        )
