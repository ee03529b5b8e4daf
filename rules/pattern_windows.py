"""Running a rule's regexes only where they can matter: in windows around term hits or `requires`
words, merged where they touch, each pattern at most once per region.

The medical and numeric patterns have long alternations behind frequent characters (天, 治, %); run over
a whole 50 KB draft they cost more than everything else together, so the engine asks these helpers for
spans near the hits instead (same spans as a whole-text run, pinned by tests/rules)."""

from __future__ import annotations

import re
from bisect import bisect_left

from rules.prefilter import Words
from rules.scanning import matches, span

# Characters either side of a hit searched for allow / exempt patterns (the longest is ~30 characters).
WINDOW = 32


class Intervals:
    """Spans sorted by start, with an overlap test in O(log n + k)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [sp[0] for sp in self.spans]
        self.longest = max((e - s for s, e in self.spans), default=0)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_left(self.starts, e) - 1
        floor = s - self.longest
        while i >= 0 and self.starts[i] >= floor:
            if self.spans[i][1] > s:
                return True
            i -= 1
        return False


def as_tuple(pattern: re.Pattern[str] | None) -> tuple[re.Pattern[str], ...]:
    return () if pattern is None else (pattern,)


def windows_near(text: str, near: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """Where to search for patterns that could overlap a span in ``near``: merged windows around the
    spans when they are few (the usual case), ``None`` for the whole text. Hits come in clusters (a dense
    draft has one every few dozen characters), so overlapping windows become one."""
    if len(near) * 4 * WINDOW > len(text):
        return None
    windows: list[tuple[int, int]] = []
    for s, e in sorted(near):
        lo, hi = max(0, s - WINDOW), e + WINDOW
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    return windows


def pattern_spans(
    patterns: tuple[re.Pattern[str], ...], text: str, windows: list[tuple[int, int]] | None, words: Words
) -> list[tuple[int, int]]:
    """Matches of ``patterns`` in the ``windows`` of ``text`` (all of it for ``None``), in no particular
    order; a pattern is run only in the windows where ``words`` says it can match."""
    if not patterns:
        return []
    out: list[tuple[int, int]] = []
    if windows is None:
        for p in patterns:
            if words.anywhere(p):
                out.extend(m.span() for m in matches(p, text, words) if m.end() > m.start())
        return out
    for p in patterns:
        for lo, hi in words.windows(p, windows):
            for m in p.finditer(text[lo:hi]):
                s, e = m.span()
                if e > s:
                    out.append((s + lo, e + lo))
    return out


def merge_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping hits of one rule become one finding covering them all (全网第一 + 第一 -> 全网第一,
    史上最 + 最低 -> 史上最低), so a phrase is reported once."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


# Characters either side of a `requires` word searched by a terms rule's patterns. Every such pattern
# contains one of its rule's `requires` words and reaches less than this far from it.
ANCHORWINDOW = 32


def run_patterns(
    patterns: tuple[re.Pattern[str], ...],
    needles: tuple[re.Pattern[str] | None, ...],
    text: str,
    words: Words,
) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i, pattern in enumerate(patterns):
        needle = needles[i] if i < len(needles) else None
        if not words.anywhere(pattern) or (needle is not None and needle.search(text) is None):
            continue
        out.extend(span(m) for m in matches(pattern, text, words))
    return out


def find_patterns(
    patterns: tuple[re.Pattern[str], ...],
    text: str,
    anchors: list[tuple[int, int]] | None,
    needles: tuple[re.Pattern[str] | None, ...],
    words: Words,
) -> list[tuple[int, int]]:
    """Spans of ``patterns`` in ``text``; with ``anchors`` (where the rule's `requires` words are) only in
    windows around them. Why: the medical and numeric patterns have long alternations behind frequent
    characters (天, 治, %) and, run over a whole 50 KB draft, cost more than everything else together."""
    if anchors is None or len(text) <= 2 * ANCHORWINDOW:
        return run_patterns(patterns, needles, text, words)
    windows: list[tuple[int, int]] = []
    for s, e in sorted(anchors):
        lo, hi = max(0, s - ANCHORWINDOW), min(len(text), e + ANCHORWINDOW)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    out: list[tuple[int, int]] = []
    # Pattern by pattern, each in its windows: the same spans as every pattern in every window.
    for i, pattern in enumerate(patterns):
        needle = needles[i] if i < len(needles) else None
        for lo, hi in words.windows(pattern, windows):
            window = text[lo:hi]
            if needle is not None and needle.search(window) is None:
                continue
            for m in pattern.finditer(window):
                a, b = span(m)
                out.append((a + lo, b + lo))
    return sorted(set(out))
