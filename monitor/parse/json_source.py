"""JSON APIs: posts found by a configured field mapping (``JsonMapping``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, tzinfo

from monitor.errors import ParseError
from monitor.parse.document import JsonMapping, ParsedDocument, ParsedItem
from monitor.parse.encoding import decode_body
from monitor.parse.guards import refuse_empty
from monitor.parse.plain_text import html_to_text
from monitor.parse.published import PublishedResolver

_MISSING = object()
# Chinese platforms abbreviate counts: "1.2万" = 12,000, "3亿" = 300,000,000; "1.5k"/"2w" also occur.
_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([万亿kKwW]?)\s*\+?\s*$")
_MULTIPLIERS = {"": 1, "万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "k": 1_000, "K": 1_000}


def lookup(data: object, path: str) -> object:
    """Value at dotted ``path`` ("" = ``data`` itself); ``_MISSING`` when any step is absent."""
    current = data
    for part in path.split(".") if path else []:
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif (
            isinstance(current, list)
            and part.lstrip("-").isdigit()
            and -len(current) <= int(part) < len(current)
        ):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def parse_count(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 else None
    if isinstance(value, str):
        match = _COUNT.match(value.replace(",", ""))
        if match:
            return int(float(match.group(1)) * _MULTIPLIERS[match.group(2)])
    return None


def parse_json_source(
    body: bytes,
    headers: Mapping[str, str],
    *,
    url: str,
    mapping: JsonMapping | None,
    tz: tzinfo,
    now: datetime,
) -> ParsedDocument:
    refuse_empty(body)
    if mapping is None:
        raise ParseError("JSON source needs a field mapping (items, title, text, ...)")
    decoded = decode_body(body, headers, markup="json")
    try:
        data = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        start = decoded.text.lstrip()[:1]
        hint = " (looks like HTML/XML)" if start == "<" else ""
        raise ParseError(f"not JSON{hint}: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    posts = lookup(data, mapping.items)
    if posts is _MISSING:
        raise ParseError(f"JSON has no list at items path {mapping.items!r}")
    if not isinstance(posts, list):
        raise ParseError(
            f"JSON items path {mapping.items or '(top level)'!r} is {type(posts).__name__}, not a list"
        )

    warnings = list(decoded.warnings)
    resolver = PublishedResolver(tz, now)
    items: list[ParsedItem] = []
    seen: dict[str, int] = {}
    skipped = 0
    for post in posts:
        if not isinstance(post, Mapping):
            skipped += 1
            continue
        guid = _text_field(post, mapping.guid)
        if guid is not None:
            seen[guid] = seen.get(guid, 0) + 1
            if seen[guid] > 1:
                continue
        title = html_to_text(_text_field(post, mapping.title))
        text = html_to_text(_text_field(post, mapping.text)) or title
        raw_date = lookup(post, mapping.published) if mapping.published else None
        published, estimated = resolver.resolve(None if raw_date is _MISSING else raw_date)
        items.append(
            ParsedItem(
                guid=guid,
                link=_text_field(post, mapping.link),
                title=title,
                text=text,
                author=_text_field(post, mapping.author),
                published_at=published,
                published_estimated=estimated,
                followers=_count_field(post, mapping.followers),
                likes=_count_field(post, mapping.likes),
                reposts=_count_field(post, mapping.reposts),
                comments=_count_field(post, getattr(mapping, "comments", None)),
            )
        )
    if skipped:
        warnings.append(f"{skipped} entries in the items list are not objects; skipped")
    for guid, count in seen.items():
        if count > 1:
            warnings.append(f"duplicate guid {guid!r} appears {count} times; kept the first")
    warnings.extend(resolver.warnings())
    return ParsedDocument(items=items, warnings=warnings, title=None)


def _text_field(post: Mapping[str, object], path: str | None) -> str | None:
    if not path:
        return None
    value = lookup(post, path)
    if value is _MISSING or value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _count_field(post: Mapping[str, object], path: str | None) -> int | None:
    if not path:
        return None
    value = lookup(post, path)
    return None if value is _MISSING else parse_count(value)
