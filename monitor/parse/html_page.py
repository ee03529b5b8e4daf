"""One item from an HTML page: title, main text and date, preferring what the page declares in meta tags."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from monitor.errors import ParseError
from monitor.parse.document import ParsedDocument, ParsedItem
from monitor.parse.encoding import decode_body
from monitor.parse.guards import refuse_empty
from monitor.parse.plain_text import node_text, normalise_whitespace
from monitor.parse.published import PublishedResolver

# Page chrome that is never the story; removed before the main text is taken.
_CHROME = [
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "footer",
    "header",
    "aside",
    "form",
    "iframe",
    "svg",
]
_MAIN_CANDIDATES = ("article", "main", "[role=main]", "#content", ".content", ".article", ".post")
_DATE_META = (
    'meta[property="article:published_time"]',
    'meta[property="og:published_time"]',
    'meta[name="pubdate"]',
    'meta[name="publishdate"]',
    'meta[name="PubDate"]',
    'meta[itemprop="datePublished"]',
    'meta[name="date"]',
)


def parse_html_page(
    body: bytes,
    headers: Mapping[str, str],
    *,
    url: str,
    tz: tzinfo,
    now: datetime,
    selectors: Mapping[str, str | None] | None = None,
) -> ParsedDocument:
    if selectors:
        from monitor.parse.html_list import parse_html_list

        return parse_html_list(body, headers, url=url, tz=tz, now=now, selectors=selectors)
    refuse_empty(body)
    decoded = decode_body(body, headers, markup="html")
    tree = LexborHTMLParser(decoded.text)
    if tree.body is None and tree.head is None:
        raise ParseError("not an HTML page")
    title = _meta(tree, 'meta[property="og:title"]') or _first_text(tree, "title") or _first_text(tree, "h1")
    description = _meta(tree, 'meta[property="og:description"]') or _meta(tree, 'meta[name="description"]')
    raw_date = next((v for v in (_meta(tree, sel) for sel in _DATE_META) if v), None)
    if raw_date is None:
        time_node = tree.css_first("article time[datetime], time[datetime]")
        raw_date = time_node.attributes.get("datetime") if time_node is not None else None
    canonical = tree.css_first('link[rel="canonical"]')
    href = canonical.attributes.get("href") if canonical is not None else None
    link = urljoin(url, href) if href else url
    author = _meta(tree, 'meta[name="author"]') or _meta(tree, 'meta[property="article:author"]')

    tree.strip_tags(_CHROME)
    main = next((n for n in (tree.css_first(sel) for sel in _MAIN_CANDIDATES) if n is not None), None)
    root = main or tree.body
    text = node_text(root) if root is not None else ""
    if not text:
        text = description or ""
    if not text and not title:
        raise ParseError("HTML page has neither a title nor any text")

    resolver = PublishedResolver(tz, now)
    published, estimated = resolver.resolve(raw_date)
    item = ParsedItem(
        guid=link,
        link=link,
        title=title or "",
        text=text,
        author=author,
        published_at=published,
        published_estimated=estimated,
    )
    return ParsedDocument(items=[item], warnings=decoded.warnings + resolver.warnings(), title=title)


def _meta(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    value = normalise_whitespace(node.attributes.get("content") or "")
    return value or None


def _first_text(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    return normalise_whitespace(node.text(deep=True)) or None
