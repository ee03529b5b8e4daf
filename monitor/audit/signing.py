"""Checkpoint signatures (HMAC-SHA256) with the key from ``BRANDGUARD_AUDIT_KEY``.

A hash chain alone proves nothing against someone who can write the database: they can edit a row and
recompute every later hash. A checkpoint signs ``(kind, seq, entry_hash, count, ts)`` with a key that
is not in the database, so a recomputed chain no longer matches the signed hash, and a truncated log
ends before a signed seq. The key itself is never stored or printed; ``key_id`` is a short fingerprint
so that a checkpoint signed with another key is reported as such rather than as forged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from monitor.audit.canonical import canonical_json, format_ts

KEY_ENV = "BRANDGUARD_AUDIT_KEY"
KEY_ID_ENV = "BRANDGUARD_AUDIT_KEY_ID"
ALGORITHM = "hmac-sha256"
_HEX = re.compile(r"\A(?:[0-9a-fA-F]{2}){16,}\Z")


@dataclass(frozen=True, slots=True)
class AuditKey:
    key_id: str
    secret: bytes

    def __repr__(self) -> str:  # never let the secret reach a log line or a traceback
        return f"AuditKey(key_id={self.key_id!r})"


def load_key(environ: Mapping[str, str] | None = None) -> AuditKey | None:
    """The signing key, or None when not configured. Hex strings (>= 32 hex digits) are decoded."""
    env = os.environ if environ is None else environ
    raw = env.get(KEY_ENV, "")
    if not raw:
        return None
    secret = bytes.fromhex(raw) if _HEX.match(raw) else raw.encode("utf-8")
    fingerprint = hashlib.sha256(b"brandguard-audit-key-id:" + secret).hexdigest()[:12]
    key_id = env.get(KEY_ID_ENV) or "k-" + fingerprint
    return AuditKey(key_id=key_id, secret=secret)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement "the log had ``count`` retained entries and entry ``seq`` hashed to X"."""

    kind: str  # periodic | manual | purge
    seq: int
    entry_hash: str
    count: int
    ts: datetime
    key_id: str
    algorithm: str
    signature: str
    id: int | None = None

    def signed_text(self) -> str:
        return checkpoint_text(
            kind=self.kind,
            seq=self.seq,
            entry_hash=self.entry_hash,
            count=self.count,
            ts=self.ts,
            key_id=self.key_id,
        )

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["ts"] = format_ts(self.ts)
        return record


def checkpoint_text(*, kind: str, seq: int, entry_hash: str, count: int, ts: datetime, key_id: str) -> str:
    return canonical_json(
        {
            "algorithm": ALGORITHM,
            "count": count,
            "entry_hash": entry_hash,
            "key_id": key_id,
            "kind": kind,
            "seq": seq,
            "ts": format_ts(ts),
        }
    )


def sign_text(key: AuditKey, text: str) -> str:
    return hmac.new(key.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def make_checkpoint(
    key: AuditKey, *, kind: str, seq: int, entry_hash: str, count: int, ts: datetime
) -> Checkpoint:
    text = checkpoint_text(kind=kind, seq=seq, entry_hash=entry_hash, count=count, ts=ts, key_id=key.key_id)
    return Checkpoint(
        kind=kind,
        seq=seq,
        entry_hash=entry_hash,
        count=count,
        ts=ts,
        key_id=key.key_id,
        algorithm=ALGORITHM,
        signature=sign_text(key, text),
    )


def signature_problem(checkpoint: Checkpoint, key: AuditKey | None) -> str | None:
    """Why the signature cannot be trusted, or None when it verifies."""
    if key is None:
        return "no key to verify it"
    if checkpoint.algorithm != ALGORITHM:
        return f"unknown algorithm {checkpoint.algorithm!r}"
    if checkpoint.key_id != key.key_id:
        return f"signed with key {checkpoint.key_id!r}, not the configured key {key.key_id!r}"
    expected = sign_text(key, checkpoint.signed_text())
    if not hmac.compare_digest(expected, checkpoint.signature):
        return "signature invalid (checkpoint edited, or forged without the key)"
    return None
