"""Words a regex cannot match without, so that the scanner skips a pattern where they are absent.

Why: the context patterns (exempt, soften, allow) and the `requires`-anchored patterns run in small windows
around hits, and a dense draft has a hundred windows times twenty patterns; most of those searches find
nothing and cost more (a Python call each) than the rest of the scan. Whole-text patterns (document
triggers, context patterns in a dense draft) spend most of their time trying positions far from any
possible match. A pattern is still run exactly as before wherever it runs; it is only not run where a
match is impossible, so no finding changes.

``requirement(p)`` reads the parsed pattern: for each top-level alternative, a *factor* (a set of words one
of which occurs inside every match of that alternative: a literal run, or an alternation or class of
literals next to it), chosen to look rare; the requirement is their union. The Aho-Corasick pass of the
engine finds the words; ``Words`` answers which windows, or which regions of the whole text, can hold a
match.
"""

from __future__ import annotations

import importlib
import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache
from typing import Any

# The regex parser is private to `re`; without it (another Python) every pattern simply always runs.
try:
    _P: Any = importlib.import_module("re._parser")
    _REPEATS = (_P.MAX_REPEAT, _P.MIN_REPEAT, getattr(_P, "POSSESSIVE_REPEAT", _P.MAX_REPEAT))
except ImportError:  # pragma: no cover
    _P = None

Factor = frozenset[str]
# Words one of which every match contains (the union, over the top-level alternatives, of one factor each).
Requirement = frozenset[str]
# id(pattern) -> (pattern, requirement, consuming width)
Requirements = dict[int, tuple[re.Pattern[str], Requirement | None, int | None]]


# A literal run combined with the alternations next to it (最佳 + 食用|饮用|... -> 最佳食用, 最佳饮用, ...)
# is far rarer than either part; past this many combinations the part is kept on its own.
_MAX_WORDS = 256
# One-character words (最, 第, %) occur everywhere: as a filter they cost more occurrences to look at than
# they save.
_MIN_LENGTH = 2


def _literal_set(op: Any, av: Any) -> set[str] | None:
    """The strings a node matches when it is a plain literal, a class of literals or an alternation of
    those (every alternative consumes exactly one of a few strings); otherwise None."""
    if op is _P.LITERAL:
        return {chr(av)}
    if op is _P.IN:
        if all(o is _P.LITERAL for o, _ in av):
            return {chr(a) for _, a in av}
        return None
    if op is _P.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _sequence_set(list(sub))
    if op is _P.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            strings = _sequence_set(list(branch))
            if strings is None:
                return None
            out |= strings
        return out
    return None


def _sequence_set(items: list[tuple[Any, Any]]) -> set[str] | None:
    current = {""}
    for op, av in items:
        strings = _literal_set(op, av)
        if strings is None or len(current) * len(strings) > _MAX_WORDS:
            return None
        current = {a + b for a in current for b in strings}
    return current


def _factors(items: Iterable[tuple[Any, Any]], avoid: frozenset[str]) -> list[Factor]:
    """Factors of a sequence of parsed nodes: each is needed by every match of the sequence. Only
    consumed text counts (lookarounds are skipped); any other node ends a run of literal nodes."""
    out: list[Factor] = []
    current: set[str] | None = None

    def flush() -> None:
        if current and min(map(len, current)) >= _MIN_LENGTH:
            out.append(frozenset(current))

    for op, av in items:
        strings = _literal_set(op, av)
        if strings is not None:
            if current is not None and len(current) * len(strings) <= _MAX_WORDS:
                current = {a + b for a in current for b in strings}
            else:
                flush()
                current = strings if len(strings) <= _MAX_WORDS else None
            continue
        flush()
        current = None
        if op is _P.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if not add_flags and not del_flags:  # (?i:...) and the like: not literal, skipped
                out.extend(_factors(sub, avoid))
        elif op is _P.BRANCH:
            union = _union(av[1], avoid)
            if union is not None:
                out.append(union)
        elif op in _REPEATS:
            low, _high, sub = av
            if low >= 1:
                out.extend(_factors(sub, avoid))
    flush()
    return out


def _best(factors: list[Factor], avoid: frozenset[str]) -> Factor | None:
    """The factor that looks most selective: none of its words in ``avoid`` (the rules' own terms, which
    every window around a hit contains), then the longest shortest word, then the fewest words."""
    return max(factors, key=lambda f: (not f & avoid, min(map(len, f)), -len(f)), default=None)


def _union(branches: Iterable[Any], avoid: frozenset[str]) -> Factor | None:
    words: set[str] = set()
    for branch in branches:
        best = _best(_factors(branch, avoid), avoid)
        if best is None:
            return None
        words |= best
    return frozenset(words)


def _parse(pattern: re.Pattern[str]) -> Any:
    if _P is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        return _P.parse(pattern.pattern, pattern.flags)
    except Exception:  # a parser change must not break checking: the pattern then just always runs
        return None


def requirement(
    pattern: re.Pattern[str], avoid: frozenset[str] = frozenset(), parsed: Any = None
) -> Requirement | None:
    """Words one of which occurs inside every match: for each top-level alternative the factor it cannot do
    without that looks rarest; None when some alternative has no such words (the pattern always runs)."""
    parsed = _parse(pattern) if parsed is None else parsed
    if parsed is None:
        return None
    items = list(parsed)
    while len(items) == 1 and items[0][0] is _P.SUBPATTERN and not any(items[0][1][1:3]):
        items = list(items[0][1][3])
    branches = items[0][1][1] if len(items) == 1 and items[0][0] is _P.BRANCH else [items]
    return _union(branches, avoid)


@cache
def prefix(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Words one of which every match starts with, for a pattern that opens with a lookaround or an
    anchor (any other pattern already gets a fast literal or character-set scan from `re`), or None."""
    if _P is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        items = list(_P.parse(pattern.pattern, pattern.flags))
    except Exception:  # see requirement()
        return None
    if not items or items[0][0] not in (_P.ASSERT, _P.ASSERT_NOT, _P.AT):
        return None
    while items and items[0][0] in (_P.ASSERT, _P.ASSERT_NOT, _P.AT):
        items = items[1:]
    words: set[str] | None = None
    for op, av in items:
        strings = _literal_set(op, av)
        if strings is None or (words is not None and len(words) * len(strings) > _MAX_WORDS):
            break
        words = strings if words is None else {a + b for a in words for b in strings}
    if not words or "" in words:
        return None
    return frozenset(words)


# Keyed by id: hashing a compiled pattern hashes its whole program, on every lookup (the pattern is kept
# in the entry, so an id is never reused while its entry lives).
_PREFIXES: dict[int, tuple[re.Pattern[str], frozenset[str] | None]] = {}
# Past this many places to try, one ordinary search is cheaper.
_MAX_STARTS = 512


def search(pattern: re.Pattern[str], text: str) -> bool:
    """``pattern.search(text) is not None``, trying only where a prefix word starts when there are few such
    places. Why: a pattern that opens with a lookbehind ((?<!视为)同意) gets no literal fast path from
    `re` and is tried at every position of a 50 KB draft."""
    cached = _PREFIXES.get(id(pattern))
    if cached is None or cached[0] is not pattern:
        cached = _PREFIXES[id(pattern)] = (pattern, prefix(pattern))
    words = cached[1]
    if words is None:
        return pattern.search(text) is not None
    starts: list[int] = []
    for word in words:
        at = text.find(word)
        while at >= 0:
            starts.append(at)
            if len(starts) > _MAX_STARTS:
                return pattern.search(text) is not None
            at = text.find(word, at + 1)
    # A match attempt at a position sees the text before it (lookbehinds), as inside a search.
    return any(pattern.match(text, at) is not None for at in starts)


_LOOKING = ("ASSERT", "ASSERT_NOT", "AT", "GROUPREF", "GROUPREF_EXISTS")
# Regions are worth it only for patterns that reach a few dozen characters.
_MAX_WIDTH = 200


def _looks_around(items: Iterable[tuple[Any, Any]]) -> bool:
    looking = {getattr(_P, name) for name in _LOOKING if hasattr(_P, name)}
    for op, av in items:
        if op in looking:
            return True
        if op is _P.SUBPATTERN and _looks_around(av[3]):
            return True
        if op is _P.BRANCH and any(_looks_around(b) for b in av[1]):
            return True
        if op in _REPEATS and _looks_around(av[2]):
            return True
        if op is getattr(_P, "ATOMIC_GROUP", None) and _looks_around(av):
            return True
    return False


def consuming_width(pattern: re.Pattern[str], parsed: Any = None) -> int | None:
    """The longest match of a pattern that only consumes (no lookaround, anchor, word boundary or
    backreference) and never matches empty; None for any other pattern. Such a pattern's attempt at a
    position reads nothing but the characters it may consume, so it finds the same matches in any stretch
    of the text that holds them whole."""
    parsed = _parse(pattern) if parsed is None else parsed
    if parsed is None:
        return None
    low, high = parsed.getwidth()
    if low < 1 or high > _MAX_WIDTH or _looks_around(list(parsed)):
        return None
    return int(high)


class Words:
    """Where the prefilter words occur in one text: start positions by word (filled by the engine's
    Aho-Corasick pass), and the requirements of the patterns it can answer for."""

    def __init__(self, requirements: Requirements) -> None:
        self.requirements = requirements
        self.starts: dict[str, list[int]] = {}

    def anywhere(self, pattern: re.Pattern[str]) -> bool:
        """Whether the whole text can hold a match (always, for a pattern without requirement)."""
        entry = self.requirements.get(id(pattern))
        return entry is None or entry[1] is None or not self.starts.keys().isdisjoint(entry[1])

    def _occurrences(self, req: Requirement) -> list[tuple[int, str]]:
        starts = self.starts
        return [(q, word) for word in req & starts.keys() for q in starts[word]]

    def regions(self, pattern: re.Pattern[str], length: int) -> list[tuple[int, int]] | None:
        """Disjoint stretches of the text that hold every match of ``pattern`` whole (a match contains an
        occurrence of a required word, and reaches at most the pattern's width from it); None when the
        pattern must be searched everywhere. ``finditer(text, lo, hi)`` over them finds exactly the
        matches of ``finditer(text)``: no match crosses a gap, so the scan state entering a stretch is the
        same."""
        _pattern, req, width = self.requirements.get(id(pattern), (pattern, None, None))
        if req is None or width is None:
            return None
        reach = sorted(
            (max(0, q + len(word) - width), min(length, q + width)) for q, word in self._occurrences(req)
        )
        out: list[tuple[int, int]] = []
        for lo, hi in reach:
            if out and lo <= out[-1][1]:
                if hi > out[-1][1]:
                    out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
        return out

    def windows(self, pattern: re.Pattern[str], windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The ``windows`` (sorted, disjoint) that contain a required word whole."""
        entry = self.requirements.get(id(pattern))
        if entry is None or entry[1] is None:
            return windows
        found = self._occurrences(entry[1])
        if not found:
            return []
        los = [lo for lo, _hi in windows]
        chosen: set[int] = set()
        for q, word in found:
            i = bisect_right(los, q) - 1
            if i >= 0 and q + len(word) <= windows[i][1]:
                chosen.add(i)
        return [windows[i] for i in sorted(chosen)]


def requirements_for(patterns: Iterable[re.Pattern[str]], avoid: Iterable[str]) -> Requirements:
    """The requirement (factors chosen away from the words in ``avoid``) and consuming width of each
    pattern, by ``id`` (see _PREFIXES); the caller keeps the patterns, and the entries keep them too."""
    avoided = frozenset(avoid)
    out: Requirements = {}
    for p in patterns:
        parsed = _parse(p)  # once for both: parsing is most of an engine's build time
        out[id(p)] = (p, requirement(p, avoided, parsed), consuming_width(p, parsed))
    return out


def words_of(requirements: Requirements) -> set[str]:
    """Every word the requirements name (for the Aho-Corasick automaton)."""
    out: set[str] = set()
    for _pattern, req, _width in requirements.values():
        out |= req or frozenset()
    return out
