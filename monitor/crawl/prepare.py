"""The per-item work that needs no database: dedup keys, brand matching and story fingerprints.

It runs in the parse worker right after the parse (``parse_and_prepare``), so the daemon process, whose
one core also fetches and writes, only looks up what is stored and links stories. Ingest and tests call
``prepare_items`` in process. Module-level imports are stdlib only, like ``monitor.crawl.steps``: parse
workers import this module to unpickle ``parse_and_prepare``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from monitor.matching.matcher import BrandMatcher


class BrandSpec(NamedTuple):
    """A brand as the worker needs it: it pickles in microseconds and needs no config models."""

    name: str
    query: str
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class PreparedItem:
    key: str  # dedup key of the item within its source (monitor.matching.dedup.document_keys)
    brands: tuple[str, ...]  # the brands it matches (empty: not stored)
    fingerprint: int  # SimHash of its story text; 0 = too little text, or no brand matched


@dataclass
class PreparedDocument:
    """A parsed document and its items' prepared facts, in the same order."""

    items: list[Any]
    prepared: list[PreparedItem]
    warnings: list[str]


def prepare_items(
    matcher: BrandMatcher,
    items: Sequence[Any],
    only: Sequence[str] | None,
    keys: Sequence[str] | None = None,
) -> list[PreparedItem]:
    """Keys, matching brands and fingerprints of one document's items (``keys``: ingest's own)."""
    from monitor.matching.dedup import document_keys, simhash_many

    if keys is None:
        keys = document_keys([(it.guid, it.link, it.title, published_date(it)) for it in items])
    brands = [tuple(matcher.match(it.title or "", it.text or "", only=only)) for it in items]
    # Only matched items are stored, so only they need a fingerprint (the costly part).
    matched = [i for i, found in enumerate(brands) if found]
    fingerprints = dict(zip(matched, simhash_many([story_text(items[i]) for i in matched]), strict=True))
    return [
        PreparedItem(key, found, fingerprints.get(i, 0))
        for i, (key, found) in enumerate(zip(keys, brands, strict=True))
    ]


_matchers: dict[tuple[BrandSpec, ...], BrandMatcher] = {}


def matcher_for(brands: tuple[BrandSpec, ...]) -> BrandMatcher:
    """One compiled matcher per brand list and process (a config reload brings a new list)."""
    matcher = _matchers.get(brands)
    if matcher is None:
        from monitor.matching.matcher import BrandMatcher

        _matchers.clear()  # the previous list is not coming back
        matcher = _matchers[brands] = BrandMatcher(brands)
    return matcher


def parse_and_prepare(
    kind: str,
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    tz: str,
    mapping: Any,
    now: datetime,
    selectors: Mapping[str, str | None] | None,
    brands: tuple[BrandSpec, ...],
    only: tuple[str, ...],
) -> PreparedDocument:
    """Parse a fetched body and prepare its items; module level so a process pool can pickle it."""
    document = parse_in_worker(kind, body, headers, url, tz, mapping, now, selectors)
    items = list(document.items)
    prepared = prepare_items(matcher_for(brands), items, list(only) or None)
    return PreparedDocument(items, prepared, list(document.warnings))


def parse_in_worker(
    kind: str,
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    tz: str,
    mapping: Any,
    now: datetime,
    selectors: Mapping[str, str | None] | None = None,
) -> Any:
    """The parse alone (``brandguard sources test`` shows its result as is)."""
    from monitor.parse import parse_document
    from monitor.parse.document import JsonMapping

    if mapping is not None and not isinstance(mapping, JsonMapping):
        mapping = JsonMapping(**mapping.model_dump())  # the config's pydantic model -> the parser's own
    return parse_document(
        kind,  # type: ignore[arg-type]
        body,
        headers,
        url=url,
        source_tz=tz,
        mapping=mapping,
        now=now,
        selectors=selectors,
    )


def story_text(item: Any) -> str:
    """What a repost keeps: the body. Titles are often rewritten ("转发", "【热点】"), so they only count
    when the body is too short to say anything on its own."""
    text = (item.text or "").strip()
    return text if len(text) >= 20 else f"{item.title or ''} {text}"


def published_date(item: Any) -> datetime | None:
    """The item's own date; None when the parser estimated it (fetch time changes every fetch, so it
    must not go into the dedup key)."""
    if getattr(item, "published_estimated", False):
        return None
    value = getattr(item, "published_at", None)
    return value if isinstance(value, datetime) else None
