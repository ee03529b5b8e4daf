"""An HTML list page (forum board, complaint list) split into one item per post by CSS selectors.

Selectors (``item``, ``title``, ``link``, ``time``, ``author``, ``text``) come from the source's
``[sources.selectors]``; all but ``item`` are relative to one item. A page where ``item`` matches nothing
is a ParseError, not an empty success: a redesigned or blocked page must not look like a quiet board.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.errors import ParseError
from monitor.parse.document import ParsedDocument, ParsedItem
from monitor.parse.encoding import decode_body
from monitor.parse.guards import refuse_empty
from monitor.parse.plain_text import node_text, normalise_whitespace
from monitor.parse.published import PublishedResolver


def parse_html_list(
    body: bytes,
    headers: Mapping[str, str],
    *,
    url: str,
    tz: tzinfo,
    now: datetime,
    selectors: Mapping[str, str | None],
) -> ParsedDocument:
    refuse_empty(body)
    item_selector = selectors.get("item")
    if not item_selector:
        raise ParseError("selectors need an item selector")
    decoded = decode_body(body, headers, markup="html")
    tree = LexborHTMLParser(decoded.text)
    nodes = tree.css(item_selector)
    if not nodes:
        raise ParseError(f"selector item = {item_selector!r} matched nothing on the page")
    resolver = PublishedResolver(tz, now)
    items: list[ParsedItem] = []
    for node in nodes:
        title = _text(node, selectors.get("title"))
        link = _link(node, selectors.get("link"))
        text = _text(node, selectors.get("text")) if selectors.get("text") else node_text(node)
        if not title and not text:
            continue
        published, estimated = resolver.resolve(_time(node, selectors.get("time")))
        absolute = urljoin(url, link) if link else None
        items.append(
            ParsedItem(
                guid=absolute,
                link=absolute,
                title=title or "",
                text=text or title or "",
                author=_text(node, selectors.get("author")),
                published_at=published,
                published_estimated=estimated,
            )
        )
    return ParsedDocument(items=items, warnings=decoded.warnings + resolver.warnings(), title=None)


def _first(node: LexborNode, selector: str | None) -> LexborNode | None:
    if not selector:
        return None
    return node.css_first(selector)


def _text(node: LexborNode, selector: str | None) -> str | None:
    found = _first(node, selector)
    if found is None:
        return None
    return normalise_whitespace(found.text(deep=True)) or None


def _link(node: LexborNode, selector: str | None) -> str | None:
    found = _first(node, selector) if selector else None
    if found is None:
        found = node if node.tag == "a" else node.css_first("a[href]")
    if found is None:
        return None
    href = found.attributes.get("href")
    return href.strip() if href else None


def _time(node: LexborNode, selector: str | None) -> str | None:
    found = _first(node, selector)
    if found is None:
        return None
    return found.attributes.get("datetime") or normalise_whitespace(found.text(deep=True)) or None
