from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from monitor.errors import ParseError
from monitor.parse import JsonMapping, parse_document
from monitor.parse.json_source import _MISSING, lookup, parse_count

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
MAPPING = JsonMapping(
    items="data.list",
    title="title",
    text="content",
    link="url",
    guid="mid",
    published="created_at",
    author="user.screen_name",
    followers="user.followers_count",
    likes="attitudes_count",
    reposts="reposts_count",
)


def parse(payload: object, mapping: JsonMapping | None = MAPPING, raw: bytes | None = None):  # type: ignore[no-untyped-def]
    body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
    return parse_document(
        "json",
        body,
        {"content-type": "application/json"},
        url="https://api.example/x",
        mapping=mapping,
        now=NOW,
    )


def test_mapped_fields_and_reach_figures() -> None:
    doc = parse(
        {
            "data": {
                "list": [
                    {
                        "mid": 1001,
                        "title": "<b>标题</b>",
                        "content": "内容",
                        "url": "https://w.example/1",
                        "created_at": 1749542400,
                        "user": {"screen_name": "大V", "followers_count": "1.2万"},
                        "attitudes_count": 35,
                        "reposts_count": "3",
                    },
                ]
            }
        }
    )
    [item] = doc.items
    assert (item.guid, item.title, item.text, item.link, item.author) == (
        "1001",
        "标题",
        "内容",
        "https://w.example/1",
        "大V",
    )
    assert (item.followers, item.likes, item.reposts) == (12000, 35, 3)
    assert item.published_at == datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    assert doc.warnings == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1749542400, datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),
        (1749542400000, datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),
        ("1749542400", datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),
        ("2025-06-10 08:00", datetime(2025, 6, 10, 0, 0, tzinfo=UTC)),
        ("3小时前", datetime(2025, 6, 10, 9, 0, tzinfo=UTC)),
        (None, NOW),
        (True, NOW),
    ],
)
def test_json_dates(value: object, expected: datetime) -> None:
    [item] = parse({"data": {"list": [{"mid": 1, "content": "x", "created_at": value}]}}).items
    assert item.published_at == expected


def test_top_level_list_duplicates_and_non_objects() -> None:
    mapping = JsonMapping(items="", title="t", guid="id")
    doc = parse([{"id": "a", "t": "one"}, {"id": "a", "t": "dup"}, "junk", {"id": "b", "t": "two"}], mapping)
    assert [i.title for i in doc.items] == ["one", "two"]
    assert doc.items[0].text == "one"  # no text field: title doubles as text
    assert any("duplicate guid 'a'" in w for w in doc.warnings)
    assert any("not objects" in w for w in doc.warnings)


@pytest.mark.parametrize(
    ("raw", "mapping", "message"),
    [
        (b"<html><body>login</body></html>", MAPPING, "not JSON \\(looks like HTML/XML\\)"),
        (b"{broken", MAPPING, "not JSON"),
        (b"", MAPPING, "empty document"),
        (b'{"data": {}}', MAPPING, "no list at items path 'data.list'"),
        (b'{"data": {"list": {"a": 1}}}', MAPPING, "is dict, not a list"),
        (b"[]", None, "needs a field mapping"),
    ],
)
def test_bad_json_sources(raw: bytes, mapping: JsonMapping | None, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(None, mapping, raw=raw)


@pytest.mark.parametrize(
    ("path", "expected"),
    [("a.b", 1), ("a.list.1.x", 2), ("a.list.-1.x", 2), ("a.list.5", None), ("a.c", None), ("", "root")],
)
def test_lookup(path: str, expected: object) -> None:
    data = {"a": {"b": 1, "list": [{"x": 1}, {"x": 2}]}}
    value = lookup(data, path)
    if expected == "root":
        assert value is data
    elif expected is None:
        assert value is _MISSING
    else:
        assert value == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 5),
        (5.7, 5),
        ("12", 12),
        ("1,234", 1234),
        ("1.2万", 12000),
        ("3亿", 300_000_000),
        ("1.5k", 1500),
        ("2w", 20000),
        ("10万+", 100000),
        (-1, None),
        ("many", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_count(value: object, expected: int | None) -> None:
    assert parse_count(value) == expected
