"""Canonical JSON and entry hashing: the byte-exact form that every hash in the log is taken over.

Canonical JSON = sorted keys, no whitespace, ``ensure_ascii=False``, UTF-8, no NaN/Infinity; times are
UTC ISO-8601 with microseconds and a ``Z`` suffix. The ``data`` column stores exactly
``canonical_json(data)`` so verification can hash the stored text without re-parsing it (that is what
makes a million-entry verify fast).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

GENESIS_HASH = "0" * 64

_dumps_string = json.JSONEncoder(ensure_ascii=False).encode


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_ts(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(f"audit data cannot hold a {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_default
    )


def normalise_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The data as it reads back from the database, plus its canonical text (what gets stored)."""
    text = canonical_json(dict(data))
    return json.loads(text), text


def format_ts(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def entry_text(
    *, seq: int, ts: str, actor: str, kind: str, subject: str, data_text: str, prev_hash: str
) -> str:
    """``canonical_json`` of the entry (without its own hash), built by concatenation for speed.

    Keys in sorted order: actor, data, kind, prev_hash, seq, subject, ts. A unit test pins that this
    equals ``canonical_json`` of the same dict.
    """
    return (
        '{"actor":' + _dumps_string(actor)
        + ',"data":' + data_text
        + ',"kind":' + _dumps_string(kind)
        + ',"prev_hash":' + _dumps_string(prev_hash)
        + ',"seq":' + str(int(seq))
        + ',"subject":' + _dumps_string(subject)
        + ',"ts":' + _dumps_string(ts)
        + "}"
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(
    *, seq: int, ts: str, actor: str, kind: str, subject: str, data_text: str, prev_hash: str
) -> str:
    return sha256_hex(
        entry_text(
            seq=seq, ts=ts, actor=actor, kind=kind, subject=subject, data_text=data_text, prev_hash=prev_hash
        )
    )
