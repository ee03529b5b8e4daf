from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.audit.canonical import canonical_json, entry_text, format_ts, normalise_data, parse_ts

TRICKY = ["", "plain", '引号"和\\反斜杠', "line\nbreak\ttab", "\u2028\u2029", "emoji 😀", "\x00ctl", "é"]


@pytest.mark.parametrize("text", TRICKY)
def test_entry_text_is_canonical_json_of_the_entry(text: str) -> None:
    data = {"z": [1, 2.5, None, True], "a": {"y": text, "x": "全角ＡＢＣ"}}
    fields = {
        "seq": 42,
        "ts": "2026-11-01T00:00:00.000001Z",
        "actor": text,
        "kind": "check",
        "subject": text,
        "prev_hash": "ab" * 32,
    }
    built = entry_text(data_text=canonical_json(data), **fields)  # type: ignore[arg-type]
    assert built == canonical_json({**fields, "data": data})


def test_canonical_json_is_compact_sorted_and_unescaped() -> None:
    assert canonical_json({"b": 1, "a": "中文"}) == '{"a":"中文","b":1}'


def test_canonical_json_rejects_nan_and_unknown_types() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})
    with pytest.raises(TypeError, match="object"):
        canonical_json({"x": object()})


def test_times_are_utc_with_microseconds() -> None:
    local = datetime(2026, 11, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    assert format_ts(local) == "2026-11-01T00:00:00.000000Z"
    assert parse_ts(format_ts(local)) == local
    with pytest.raises(ValueError, match="timezone-aware"):
        format_ts(datetime(2026, 11, 1))


def test_normalise_data_returns_what_reads_back() -> None:
    data, text = normalise_data({"when": datetime(2026, 1, 2, tzinfo=UTC), "tags": ("a", "b")})
    assert data == {"when": "2026-01-02T00:00:00.000000Z", "tags": ["a", "b"]}
    assert text == canonical_json(data)


def test_normalise_data_matches_the_stdlib_reading_of_the_canonical_text() -> None:
    import json

    data = {
        "text": ["", *TRICKY, "全角ＡＢＣ"],
        "ints": [0, -1, 2**63 - 1, -(2**63), 2**64 - 1],
        "floats": [1.0, -0.0, 0.1, 1e-7, 1e300, 5e-324, 0.1 + 0.2],
        "nested": {"b": {"c": [True, False, None, {}, []]}, "a": ()},
        "when": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    }
    normalised, text = normalise_data(data)
    expected = json.loads(text)
    assert normalised == expected
    # stricter than ==: 1 == 1.0 and 0.0 == -0.0, but the types and signs must agree too
    assert repr(normalised) == repr(expected)
    assert canonical_json(normalised) == text


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, 10**30])
def test_normalise_data_keeps_integers_beyond_64_bits(value: int) -> None:
    normalised, text = normalise_data({"n": value, "list": [value]})
    assert text == f'{{"list":[{value}],"n":{value}}}'
    assert normalised == {"n": value, "list": [value]}
    assert type(normalised["n"]) is int
    assert canonical_json(normalised) == text  # what AuditEntry.computed_hash relies on
