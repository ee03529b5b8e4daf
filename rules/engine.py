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
from rules.prefilter import Requirements, Words, requirements_for, search, words_of
from rules.rulepack import Pack, Rule
from rules.scanning import first_span, matches, span

_TERM, _ALLOW, _REQUIRES, _SATISFIED = range(4)
# From this many (compact) characters the automaton also finds the words some regex cannot match without
# (rules/prefilter.py), and regexes are skipped where those are absent; but only once the engine has seen
# ~100,000 characters: building it costs ~25 ms and saves ~60 ns a character, so a CLI run on one draft
# (a pre-commit hook) would only get slower.
_PREFILTER_FROM = 4096
_PREFILTER_AFTER = 100_000
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


def _find(
    patterns: tuple[re.Pattern[str], ...],
    text: str,
    anchors: list[tuple[int, int]] | None,
    needles: tuple[re.Pattern[str] | None, ...],
    words: Words,
) -> list[tuple[int, int]]:
    """Spans of ``patterns`` in ``text``; with ``anchors`` (where the rule's `requires` words are) only in
    windows around them. Why: the medical and numeric patterns have long alternations behind frequent
    characters (天, 治, %) and, run over a whole 50 KB draft, cost more than everything else together."""
    if anchors is None or len(text) <= 2 * _ANCHOR_WINDOW:
        return _run(patterns, needles, text, words)
    windows: list[tuple[int, int]] = []
    for s, e in sorted(anchors):
        lo, hi = max(0, s - _ANCHOR_WINDOW), min(len(text), e + _ANCHOR_WINDOW)
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
            for role, words in (
                (_TERM, rule.terms),
                (_ALLOW, rule.allow),
                (_REQUIRES, rule.requires),
                (_SATISFIED, rule.satisfied_words),
            ):
                for word in words:
                    patterns.append(word)
                    self._meta.append((index, role))
        # rule.allow_regex is a cached property whose lookup hashes the rule's compiled patterns every time;
        # keyed by id(rule) because two packs may reuse a rule id.
        self._allow_regex = {id(rule): rule.allow_regex for rule in self.rules}
        self._patterns = patterns
        self._ac = ahocorasick_rs.AhoCorasick(patterns) if patterns else None
        # (automaton with the prefilter words after the patterns, requirements, words): built for the first
        # long draft; parsing every regex costs ~25 ms, more than a short draft's whole check.
        self._prefilter: tuple[ahocorasick_rs.AhoCorasick, Requirements, list[str]] | None = None
        self._scanned = 0
        # Precedence on the same text: a later pack (an industry pack) first, then the rule listed first.
        self._order = {rule.id: (-p, i) for p, pack in enumerate(packs) for i, rule in enumerate(pack.rules)}

    def _prefiltered(self) -> tuple[ahocorasick_rs.AhoCorasick, Requirements, list[str]]:
        if self._prefilter is None:
            # The regexes run in windows around hits (context, allow and `requires`-anchored patterns) or,
            # for document rules' triggers, over the whole text (then only in the regions around words).
            regexes = [
                p
                for rule in self.rules
                for p in (
                    *rule.patterns,
                    *(x.pattern for x in rule.exempts),
                    *_as_tuple(rule.allow_regex),
                    *rule.triggers,
                )
            ]
            requirements = requirements_for(regexes, (w for r in self.rules for w in (*r.terms, *r.allow)))
            words = sorted(words_of(requirements))
            self._prefilter = (ahocorasick_rs.AhoCorasick([*self._patterns, *words]), requirements, words)
        return self._prefilter

    def scan(self, st: ScanText) -> list[Hit]:
        hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
        allows: dict[int, list[tuple[int, int]]] = defaultdict(list)
        anchors: dict[int, list[tuple[int, int]]] = defaultdict(list)
        present: set[int] = set()
        satisfied: set[int] = set()
        compact = st.compact
        self._scanned += len(compact)
        long = len(compact) >= _PREFILTER_FROM
        ac: ahocorasick_rs.AhoCorasick | None
        if long and (self._prefilter is not None or self._scanned >= _PREFILTER_AFTER):
            ac, requirements, word_list = self._prefiltered()
        else:
            ac, requirements, word_list = self._ac, {}, []
        words = Words(requirements)  # without requirements every pattern runs everywhere, as it must
        word_starts = words.starts
        if ac is not None and compact:
            meta, base = self._meta, len(self._meta)
            for index, s, e in ac.find_matches_as_indexes(compact, overlapping=True):
                if index >= base:
                    word_starts.setdefault(word_list[index - base], []).append(s)
                    continue
                rule_index, role = meta[index]
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
                        words,
                    )
                    # A listed term is the finding; a pattern only adds what no term covers, so 治疗失眠 is
                    # reported as the term 治疗 and 调理便秘 (no term) as the pattern's span.
                    if spans and found:
                        listed = _Intervals(spans)
                        found = [sp for sp in found if not listed.overlaps(*sp)]
                    spans = spans + found
                if spans:
                    out.extend(self._term_hits(st, rule, spans, allows.get(index, []), words))
            elif rule.kind == "document":
                if (rule.requires and index not in present) or index in satisfied:
                    continue
                out.extend(self._document_hits(st, rule, allows.get(index, []), words))
        out = _one_claim_one_finding(out, self._order)
        out.extend(self._detector_hits(st))
        return out

    def _term_hits(
        self,
        st: ScanText,
        rule: Rule,
        spans: list[tuple[int, int]],
        allows: list[tuple[int, int]],
        words: Words,
    ) -> list[Hit]:
        compact = st.compact
        allow_regex = self._allow_regex[id(rule)]
        found = (
            _pattern_spans((allow_regex,), compact, _windows(compact, spans), words) if allow_regex else []
        )
        allowed = _Intervals(allows + found)
        boundary = self._boundary_ok
        # Only a hit that starts or ends in ASCII can fail the word-boundary test (most are Chinese).
        kept = [
            (s, e)
            for s, e in spans
            if (not (compact[s].isascii() or compact[e - 1].isascii()) or boundary(st, s, e))
            and not (allowed.spans and allowed.overlaps(s, e))
        ]
        if not kept:
            return []
        # A soft context never raises a warning rule's hit, it only lowers an error: contexts at or above
        # the rule's severity can never apply and are not searched; those without a match are dropped.
        lowering = [x for x in rule.exempts if severity_rank(x.severity) < severity_rank(rule.severity)]
        near = _windows(compact, kept) if lowering else None
        exempts = []
        for x in lowering:
            intervals = _Intervals(_pattern_spans((x.pattern,), compact, near, words))
            if intervals.spans:
                exempts.append((intervals, x.reason, x.severity))
        out = []
        for s, e in _merge_overlapping(kept):
            severity, note = rule.severity, None
            for intervals, reason, level in exempts:
                if intervals.overlaps(s, e):
                    severity, note = level, reason
                    break
            start, end = st.original_span(s, e)
            out.append(Hit(rule, start, end, severity, note))
        return out

    def _document_hits(
        self, st: ScanText, rule: Rule, allows: list[tuple[int, int]], words: Words
    ) -> list[Hit]:
        compact = st.compact
        if any(search(p, compact) for p in rule.satisfied_by):
            return []
        if rule.context and not any(search(p, compact) for p in rule.context):
            return []
        allow_regex = self._allow_regex[id(rule)]
        if rule.scope == "first" and not rule.allow and allow_regex is None:
            first = first_span(rule.triggers, compact, words)
            return [Hit(rule, *st.original_span(s, e), rule.severity) for s, e in first]
        spans = [span(m) for p in rule.triggers for m in matches(p, compact, words)]
        if not spans:
            return []
        found = _pattern_spans(_as_tuple(allow_regex), compact, _windows(compact, spans), words)
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
