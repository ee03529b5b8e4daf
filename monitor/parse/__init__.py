"""Parsing fetched bytes into items: RSS/Atom (feedparser on bytes), HTML pages, JSON APIs.

``parse_document`` is pure and synchronous (no IO, no clock: ``now`` is a parameter) and CPU-heavy
(100-170 ms for a 200-item feed), so the daemon can run it in a thread or process pool.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from monitor.errors import ParseError
from monitor.parse.document import JsonMapping, ParsedDocument, ParsedItem

DocumentKind = Literal["rss", "atom", "html", "json"]

__all__ = ["DocumentKind", "JsonMapping", "ParseError", "ParsedDocument", "ParsedItem", "parse_document"]


def parse_document(
    kind: DocumentKind,
    body: bytes,
    headers: Mapping[str, str],
    *,
    url: str,
    source_tz: str = "Asia/Shanghai",
    mapping: JsonMapping | None = None,
    now: datetime,
    selectors: Mapping[str, str | None] | None = None,
) -> ParsedDocument:
    """Items of one fetched document; raises ParseError when nothing usable can be read.

    Dates without a zone (and ``CST``) are in ``source_tz``; items without a date get ``now`` with
    ``published_estimated=True``; future dates are clamped to ``now``. Recoverable problems (malformed
    XML with entries recovered, duplicate guids, odd dates, wrong charset label) become ``warnings``.
    """
    if now.tzinfo is None:
        raise ValueError("parse_document needs a tz-aware `now`")
    from monitor.parse.dates import zone

    tz = zone(source_tz)
    if kind in ("rss", "atom"):
        from monitor.parse.feed import parse_feed

        return parse_feed(kind, body, headers, url=url, tz=tz, now=now)
    if kind == "html":
        from monitor.parse.html_page import parse_html_page

        return parse_html_page(body, headers, url=url, tz=tz, now=now, selectors=selectors)
    if kind == "json":
        from monitor.parse.json_source import parse_json_source

        return parse_json_source(body, headers, url=url, mapping=mapping, tz=tz, now=now)
    raise ParseError(f"unknown document kind {kind!r} (rss, atom, html or json)")
