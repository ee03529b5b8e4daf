"""RSS and Atom through feedparser, on bytes only, after our own encoding, entity and HTML checks."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urljoin

from monitor.errors import ParseError
from monitor.parse.document import ParsedDocument, ParsedItem
from monitor.parse.encoding import as_utf8_xml, decode_body
from monitor.parse.guards import refuse_empty, refuse_entity_declarations, refuse_html_as_feed
from monitor.parse.plain_text import html_to_text
from monitor.parse.published import PublishedResolver

_EARLIEST_TRUSTED = datetime(1990, 1, 1, tzinfo=UTC)


def parse_feed(
    kind: str, body: bytes, headers: Mapping[str, str], *, url: str, tz: tzinfo, now: datetime
) -> ParsedDocument:
    import feedparser  # ~50 ms to import: only when a feed is actually parsed

    refuse_empty(body)
    decoded = decode_body(body, headers, markup="xml")
    refuse_entity_declarations(decoded.text)
    refuse_html_as_feed(decoded.text, kind)
    # Bytes, never a URL or path (feedparser would open files and fetch without limits). We decoded the
    # text ourselves, so we hand over UTF-8 and say so. No HTML sanitising or link rewriting inside
    # entry bodies: html_to_text drops the markup (scripts and styles included) anyway. No
    # content-location either: feedparser would join it with every element's base (a quarter of the
    # parse time); the one link per entry we keep is resolved against the source URL below (after
    # any xml:base, which feedparser still applies).
    parsed = feedparser.parse(
        as_utf8_xml(decoded.text),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    warnings = list(decoded.warnings)
    entries = list(parsed.entries)
    bozo = bool(parsed.get("bozo"))
    reason = _one_line(parsed.get("bozo_exception"))
    if bozo:
        if not entries:
            raise ParseError(f"malformed {kind.upper()} feed and no entries recovered: {reason}")
        warnings.append(f"malformed XML ({reason}); {len(entries)} entries recovered")
    elif not parsed.get("version") and not entries:
        raise ParseError(f"not an RSS or Atom feed (root element not recognised) at {url}")

    resolver = PublishedResolver(tz, now)
    items: list[ParsedItem] = []
    seen: dict[str, int] = {}
    empty = 0
    for entry in entries:
        guid = _clean(entry.get("id"))
        if guid is not None:
            seen[guid] = seen.get(guid, 0) + 1
            if seen[guid] > 1:
                continue
        item = _item(entry, guid, resolver, url)
        if item is None:
            empty += 1
        else:
            items.append(item)
    for guid, count in seen.items():
        if count > 1:
            warnings.append(f"duplicate guid {guid!r} appears {count} times; kept the first")
    if bozo and not items:
        raise ParseError(f"malformed {kind.upper()} feed and no entries recovered: {reason}")
    if empty:
        warnings.append(f"{empty} entries with no title, text or link; skipped")
    warnings.extend(resolver.warnings())
    feed_title = html_to_text(parsed.feed.get("title")) or None
    return ParsedDocument(items=items, warnings=warnings, title=feed_title)


def _item(entry: Any, guid: str | None, resolver: PublishedResolver, base: str) -> ParsedItem | None:
    content = entry.get("content") or []
    body_html = content[0].get("value") if content else entry.get("summary")
    title = html_to_text(entry.get("title"))
    text = html_to_text(body_html)
    link = _clean(entry.get("link"))
    link = urljoin(base, link) if link else None
    if not (title or text or link):
        return None  # debris of a malformed document, nothing to match against
    # dict.get, not FeedParserDict.get: the latter silently maps published* to updated* with a
    # DeprecationWarning; we choose the fallback order ourselves.
    raw_date = dict.get(entry, "published") or dict.get(entry, "updated") or dict.get(entry, "created")
    published, estimated = resolver.resolve(raw_date, _feedparser_fallback(entry, raw_date))
    return ParsedItem(
        guid=guid,
        link=link,
        title=title,
        text=text,
        author=_clean(entry.get("author")),
        published_at=published,
        published_estimated=estimated,
    )


def _feedparser_fallback(entry: Any, raw: str | None) -> datetime | None:
    # Used only for formats our parser does not know. feedparser misreads Chinese dates and Unix
    # timestamps, so any raw value with CJK characters or only digits is never trusted here.
    if raw is None or raw.strip().isdigit() or any("\u3000" <= ch <= "\u9fff" for ch in raw):
        return None
    struct = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if struct is None:
        return None
    value = datetime.fromtimestamp(calendar.timegm(struct), UTC)
    return value if value >= _EARLIEST_TRUSTED else None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _one_line(error: object) -> str:
    text = " ".join(str(error or "unknown error").split())
    return text[:200]
