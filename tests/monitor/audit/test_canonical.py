from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from monitor.audit import canonical
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


def _stdlib(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def test_fast_path_is_byte_identical_to_the_stdlib_for_every_code_point() -> None:
    scalars = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    for start in range(0, len(scalars), 4096):
        chunk = scalars[start : start + 4096]
        as_values = {f"k{cp}": chr(cp) + "x" + chr(cp) for cp in chunk}
        as_keys = {chr(cp): cp for cp in chunk}  # sorting by code point across BMP and astral planes
        for value in (as_values, as_keys, [chr(cp) for cp in chunk]):
            assert canonical._is_plain(value)
            assert canonical_json(value) == _stdlib(value)


@pytest.mark.parametrize(
    "value",
    [
        {"n": 2**63 - 1, "m": -(2**63), "u": 2**64 - 1, "b": [True, False, None], "e": {}, "l": []},
        {"深": {"层": [{"嵌": ["套", 1, {"z": None, "a": '\\"\n\t\x00\x1f\x7f\u2028'}]}]}},
    ],
)
def test_plain_values_take_the_fast_path_and_match(value: Any) -> None:
    assert canonical._is_plain(value)
    assert canonical_json(value) == _stdlib(value)
    normalised, text = normalise_data(value)
    assert repr(normalised) == repr(json.loads(text))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"p": 1e-05}, '{"p":1e-05}'),  # orjson would write 1e-5
        ({"p": 1e16}, '{"p":1e+16}'),
        ({"t": (1, 2)}, '{"t":[1,2]}'),
        ({"n": 2**64}, '{"n":18446744073709551616}'),
        ({1: "a", "b": 2}, None),  # mixed key types: the stdlib's own rules (here: TypeError)
        ({"d": datetime(2026, 11, 23, 8, 0, tzinfo=UTC)}, '{"d":"2026-11-23T08:00:00.000000Z"}'),
    ],
)
def test_other_values_keep_the_stdlib_form(value: Any, expected: str | None) -> None:
    assert not canonical._is_plain(value) or any(type(k) is not str for k in value)
    if expected is None:
        with pytest.raises(TypeError):
            canonical_json(value)
    else:
        assert canonical_json(value) == expected


def test_int_keys_and_deep_nesting_fall_back_to_the_stdlib() -> None:
    assert canonical_json({2: "x", 1: "y"}) == '{"1":"y","2":"x"}'
    deep: Any = "leaf"
    for _ in range(300):  # deeper than orjson writes
        deep = [deep]
    assert canonical_json(deep) == "[" * 300 + '"leaf"' + "]" * 300
