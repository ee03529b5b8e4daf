"""The scanner: one Aho-Corasick pass for every literal term and allow phrase, regexes for patterns and
document-level (PIPL) rules, validating detectors for personal information.

Hits are found in the compact text (see rules/compact.py) and mapped back to the original text, so
``original[start:end]`` is always the reported text, separators and traditional characters included.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from typing import NamedTuple

import ahocorasick_rs

from rules.compact import ScanText
from rules.findings import severity_rank
from rules.pii import DETECTOR_ORDER, find_emails, find_numbers
from rules.rulepack import Pack, Rule

_TERM, _ALLOW, _REQUIRES, _SATISFIED = range(4)
# Characters either side of a hit searched for allow / exempt patterns (the longest is ~30 characters).
_WINDOW = 32


class Hit(NamedTuple):
    """A rule hit as an original-text span; ``note`` is the reason when an exempt (info) or soft
    (warning) context lowered its severity.
    A named tuple: one is made per hit, dozens per dense draft, and a frozen dataclass costs ~3x more."""

    rule: Rule
    start: int
    end: int
    severity: str
    note: str | None = None


def _span(m: re.Match[str]) -> tuple[int, int]:
    if "hit" in m.re.groupindex and m.group("hit") is not None:
        return m.span("hit")
    return m.span()


class _Intervals:
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


def _as_tuple(pattern: re.Pattern[str] | None) -> tuple[re.Pattern[str], ...]:
    return () if pattern is None else (pattern,)


def _windows(text: str, near: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """Where to search for patterns that could overlap a span in ``near``: merged windows around the
    spans when they are few (the usual case), ``None`` for the whole text. Hits come in clusters (a dense
    draft has one every few dozen characters), so overlapping windows become one."""
    if len(near) * 4 * _WINDOW > len(text):
        return None
    windows: list[tuple[int, int]] = []
    for s, e in sorted(near):
        lo, hi = max(0, s - _WINDOW), e + _WINDOW
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    return windows


def _pattern_spans(
    patterns: tuple[re.Pattern[str], ...], text: str, windows: list[tuple[int, int]] | None
) -> list[tuple[int, int]]:
    """Matches of ``patterns`` in the ``windows`` of ``text`` (all of it for ``None``)."""
    if not patterns:
        return []
    if windows is None:
        return [m.span() for p in patterns for m in p.finditer(text) if m.end() > m.start()]
    out: list[tuple[int, int]] = []
    for lo, hi in windows:
        window = text[lo:hi]
        for p in patterns:
            out.extend((m.start() + lo, m.end() + lo) for m in p.finditer(window) if m.end() > m.start())
    return out


def _merge_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
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
_ANCHOR_WINDOW = 32


def _run(
    patterns: tuple[re.Pattern[str], ...], needles: tuple[re.Pattern[str] | None, ...], text: str
) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i, pattern in enumerate(patterns):
        needle = needles[i] if i < len(needles) else None
        if needle is not None and needle.search(text) is None:
            continue
        out.extend(_span(m) for m in pattern.finditer(text))
    return out


def _find(
    patterns: tuple[re.Pattern[str], ...],
    text: str,
    anchors: list[tuple[int, int]] | None,
    needles: tuple[re.Pattern[str] | None, ...] = (),
) -> list[tuple[int, int]]:
    """Spans of ``patterns`` in ``text``; with ``anchors`` (where the rule's `requires` words are) only in
    windows around them. Why: the medical and numeric patterns have long alternations behind frequent
    characters (天, 治, %) and, run over a whole 50 KB draft, cost more than everything else together."""
    if anchors is None or len(text) <= 2 * _ANCHOR_WINDOW:
        return _run(patterns, needles, text)
    windows: list[tuple[int, int]] = []
    for s, e in sorted(anchors):
        lo, hi = max(0, s - _ANCHOR_WINDOW), min(len(text), e + _ANCHOR_WINDOW)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    out: list[tuple[int, int]] = []
    for lo, hi in windows:
        out.extend((a + lo, b + lo) for a, b in _run(patterns, needles, text[lo:hi]))
    return sorted(set(out))


def _one_claim_one_finding(hits: list[Hit], order: dict[str, tuple[int, int]]) -> list[Hit]:
    """Advertising Law term hits of different rules on the same claim: a ``defer`` rule's hit is dropped
    when any other rule reports an overlapping finding (国务院推荐 is a state-organ finding, not also an
    endorsement one), and of hits on exactly the same text only the most severe is kept (an industry
    pack's error over the default warning; on a tie the industry pack's rule, which cites the specific
    regulation, then the rule listed first). Info hits and other categories are left alone."""
    claims = [
        h for h in hits if h.rule.category == "ad_law" and h.rule.kind == "terms" and h.severity != "info"
    ]
    if len(claims) < 2:
        return hits
    firm = [h for h in claims if not h.rule.defer]
    taken = _Intervals([(h.start, h.end) for h in firm])
    dropped = {id(h) for h in claims if h.rule.defer and taken.overlaps(h.start, h.end)}
    best: dict[tuple[int, int], Hit] = {}
    for h in sorted(claims, key=lambda h: (-severity_rank(h.severity), order[h.rule.id])):
        if id(h) in dropped:
            continue
        if (h.start, h.end) in best:
            dropped.add(id(h))
        else:
            best[(h.start, h.end)] = h
    return [h for h in hits if id(h) not in dropped] if dropped else hits


class Engine:
    """Compiled rule packs. Build once (``default_engine()``), reuse for every text."""

    def __init__(self, packs: tuple[Pack, ...]) -> None:
        self.packs = packs
        self.rules = tuple(rule for pack in packs for rule in pack.rules)
        self.rule_versions = {pack.name: pack.version for pack in packs}
        patterns: list[str] = []
        # (rule index, role); literal satisfied_by words ride along so a draft that has them needs no regex.
        self._meta: list[tuple[int, int]] = []
        for index, rule in enumerate(self.rules):
            for role, words in ((_TERM, rule.terms), (_ALLOW, rule.allow), (_REQUIRES, rule.requires),
                                (_SATISFIED, rule.satisfied_words)):
                for word in words:
                    patterns.append(word)
                    self._meta.append((index, role))
        self._ac = ahocorasick_rs.AhoCorasick(patterns) if patterns else None
        # Precedence on the same text: a later pack (an industry pack) first, then the rule listed first.
        self._order = {
            rule.id: (-p, i) for p, pack in enumerate(packs) for i, rule in enumerate(pack.rules)
        }

    def scan(self, st: ScanText) -> list[Hit]:
        hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
        allows: dict[int, list[tuple[int, int]]] = defaultdict(list)
        anchors: dict[int, list[tuple[int, int]]] = defaultdict(list)
        present: set[int] = set()
        satisfied: set[int] = set()
        compact = st.compact
        if self._ac is not None and compact:
            for index, s, e in self._ac.find_matches_as_indexes(compact, overlapping=True):
                rule_index, role = self._meta[index]
                if role == _TERM:
                    hits[rule_index].append((s, e))
                elif role == _ALLOW:
                    allows[rule_index].append((s, e))
                elif role == _REQUIRES:
                    present.add(rule_index)
                    anchors[rule_index].append((s, e))
                else:
                    satisfied.add(rule_index)
        out: list[Hit] = []
        for index, rule in enumerate(self.rules):
            if rule.kind == "terms":
                spans = hits.get(index, [])
                if rule.patterns and (not rule.requires or index in present):
                    found = _find(
                        rule.patterns,
                        compact,
                        anchors.get(index) if rule.requires else None,
                        rule.pattern_needles,
                    )
                    # A listed term is the finding; a pattern only adds what no term covers, so 治疗失眠 is
                    # reported as the term 治疗 and 调理便秘 (no term) as the pattern's span.
                    if spans and found:
                        listed = _Intervals(spans)
                        found = [sp for sp in found if not listed.overlaps(*sp)]
                    spans = spans + found
                if spans:
                    out.extend(self._term_hits(st, rule, spans, allows.get(index, [])))
            elif rule.kind == "document":
                if (rule.requires and index not in present) or index in satisfied:
                    continue
                out.extend(self._document_hits(st, rule, allows.get(index, [])))
        out = _one_claim_one_finding(out, self._order)
        out.extend(self._detector_hits(st))
        return out

    def _term_hits(
        self, st: ScanText, rule: Rule, spans: list[tuple[int, int]], allows: list[tuple[int, int]]
    ) -> list[Hit]:
        compact = st.compact
        allow_regex = rule.allow_regex
        found = _pattern_spans((allow_regex,), compact, _windows(compact, spans)) if allow_regex else []
        allowed = _Intervals(allows + found)
        kept = [sp for sp in spans if self._boundary_ok(st, *sp) and not allowed.overlaps(*sp)]
        if not kept:
            return []
        near = _windows(compact, kept) if rule.exempts else None
        exempts = [
            (_Intervals(_pattern_spans((x.pattern,), compact, near)), x.reason, x.severity)
            for x in rule.exempts
        ]
        out = []
        for s, e in _merge_overlapping(kept):
            severity, note = rule.severity, None
            for intervals, reason, level in exempts:
                # A soft context never raises a warning rule's hit, it only lowers an error.
                if intervals.overlaps(s, e) and severity_rank(level) < severity_rank(rule.severity):
                    severity, note = level, reason
                    break
            start, end = st.original_span(s, e)
            out.append(Hit(rule, start, end, severity, note))
        return out

    def _document_hits(self, st: ScanText, rule: Rule, allows: list[tuple[int, int]]) -> list[Hit]:
        compact = st.compact
        if any(p.search(compact) for p in rule.satisfied_by):
            return []
        if rule.context and not any(p.search(compact) for p in rule.context):
            return []
        spans = [_span(m) for p in rule.triggers for m in p.finditer(compact)]
        if not spans:
            return []
        found = _pattern_spans(_as_tuple(rule.allow_regex), compact, _windows(compact, spans))
        allowed = _Intervals(allows + found)
        spans = [sp for sp in spans if sp[1] > sp[0] and not allowed.overlaps(*sp)]
        spans = _merge_overlapping(spans)
        if rule.scope == "first":
            spans = spans[:1]
        return [Hit(rule, *st.original_span(s, e), rule.severity) for s, e in spans]

    def _detector_hits(self, st: ScanText) -> list[Hit]:
        text = st.folded.text
        by_detector = {r.detector: r for r in self.rules if r.kind == "detector"}
        if not by_detector:
            return []
        spans = find_numbers(text)
        spans["email"] = find_emails(text) if "@" in text else []
        taken = _Intervals([])
        out: list[Hit] = []
        for name in DETECTOR_ORDER:
            rule = by_detector.get(name)
            if rule is None:
                continue
            found = [sp for sp in spans[name] if not taken.overlaps(*sp)]
            out.extend(Hit(rule, *st.folded.original_span(s, e), rule.severity) for s, e in found)
            taken = _Intervals(taken.spans + found)
        return out

    @staticmethod
    def _boundary_ok(st: ScanText, s: int, e: int) -> bool:
        # ASCII terms (no1, top1) must not be part of a longer word or number (stop1, top10); checked in
        # the folded text, where the separators are still present.
        compact, folded = st.compact, st.folded.text
        first, last = compact[s], compact[e - 1]
        if first.isascii() and first.isalnum():
            fs = st.folded_index(s)
            if fs > 0 and folded[fs - 1].isascii() and folded[fs - 1].isalnum():
                return False
        if last.isascii() and last.isalnum():
            fe = st.folded_index(e - 1) + 1
            if fe < len(folded):
                nxt = folded[fe]
                if nxt.isascii() and (nxt.isdigit() if last.isdigit() else nxt.isalpha()):
                    return False
        return True
