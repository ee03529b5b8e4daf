"""Running one regex over a draft the way the engine needs it: every match (in the regions that can hold
one), the reported span of a match, and only the first merged span of several patterns."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rules.prefilter import Words


def span(m: re.Match[str]) -> tuple[int, int]:
    if "hit" in m.re.groupindex and m.group("hit") is not None:
        return m.span("hit")
    return m.span()


# Below this many characters one search costs less than working out the regions (a headline, a slogan).
_REGIONS_FROM = 512


def matches(pattern: re.Pattern[str], text: str, words: Words) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, searching only the regions that can hold a match (rules/prefilter.py)."""
    regions = words.regions(pattern, len(text)) if len(text) >= _REGIONS_FROM else None
    if regions is None:
        return pattern.finditer(text)
    return (m for lo, hi in regions for m in pattern.finditer(text, lo, hi))


def first_span(patterns: tuple[re.Pattern[str], ...], text: str, words: Words) -> list[tuple[int, int]]:
    """``engine._merge_overlapping(non-empty spans of patterns)[:1]``, reading matches only until the first
    merged span is complete. Why: a "first missing notice" rule used to find every trigger in a 50 KB draft to
    report one. Each pattern's spans come in increasing start order (matches do not overlap), so taking the
    smallest head of the streams visits the spans in sorted order, as the merge does."""
    streams = [(sp for m in matches(p, text, words) if (sp := span(m))[1] > sp[0]) for p in patterns]
    heads = [(head, i) for i, stream in enumerate(streams) if (head := next(stream, None)) is not None]
    if not heads:
        return []
    start, end = min(heads)[0]
    while heads:
        (s, e), i = min(heads)
        if s >= end:
            break
        end = max(end, e)
        heads.remove(((s, e), i))
        head = next(streams[i], None)
        if head is not None:
            heads.append((head, i))
    return [(start, end)]
