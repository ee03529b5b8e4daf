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

import orjson

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


_INT_MIN, _INT_MAX = -(1 << 63), (1 << 64) - 1  # what orjson writes and reads back as exact integers


def _is_plain(value: Any) -> bool:
    """Only dicts, lists, str, int (64-bit), bool and None, all of exactly those types.

    For such values orjson's sorted output is byte-identical to ``json.dumps`` in canonical form (a test
    pins it over every code point): the two differ only on floats (``1e-05`` vs ``1e-5``), NaN, big
    integers, non-str keys and types needing ``_default``, all of which this refuses. Iterative, as a
    draft check's data holds a few hundred values.
    """
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not _INT_MIN <= item <= _INT_MAX:
                return False
        elif kind is dict:
            extend(item.values())  # keys: orjson refuses non-str keys itself (then the stdlib writes it)
        elif kind is list:
            extend(item)
        else:
            return False
    return True


def _canonical(value: Any) -> tuple[str, bool]:
    """(canonical text, whether orjson wrote it: the value was plain)."""
    if _is_plain(value):
        # ~10x faster than the stdlib encoder on a check's ~10 KB of findings (BENCHMARKS.md, issue 7).
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8"), True
        except orjson.JSONEncodeError:  # non-str keys, lone surrogates, nesting deeper than orjson allows
            pass
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_default
    )
    return text, False


def canonical_json(value: Any) -> str:
    return _canonical(value)[0]


def normalise_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The data as it reads back from the database, plus its canonical text (what gets stored)."""
    text, plain = _canonical(dict(data))
    # orjson reads plain text exactly; the stdlib also reads what orjson would not (integers past 64 bits)
    return (orjson.loads(text) if plain else json.loads(text)), text


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
        '{"actor":'
        + _dumps_string(actor)
        + ',"data":'
        + data_text
        + ',"kind":'
        + _dumps_string(kind)
        + ',"prev_hash":'
        + _dumps_string(prev_hash)
        + ',"seq":'
        + str(int(seq))
        + ',"subject":'
        + _dumps_string(subject)
        + ',"ts":'
        + _dumps_string(ts)
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
