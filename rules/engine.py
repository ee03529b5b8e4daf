"""The scanner: one Aho-Corasick pass for every literal term and allow phrase, regexes for patterns and
document-level (PIPL) rules, validating detectors for personal information.

Hits are found in the compact text (see rules/compact.py) and mapped back to the original text, so
``original[start:end]`` is always the reported text, separators and traditional characters included.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import ahocorasick_rs

from rules.compact import ScanText
from rules.findings import severity_rank
from rules.pattern_windows import (
    Intervals,
    as_tuple,
    find_patterns,
    merge_overlapping,
    pattern_spans,
    windows_near,
)
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


class Hit(NamedTuple):
    """A rule hit as an original-text span; ``note`` is the reason when an exempt (info) or soft
    (warning) context lowered its severity.
    A named tuple: one is made per hit, dozens per dense draft, and a frozen dataclass costs ~3x more."""

    rule: Rule
    start: int
    end: int
    severity: str
    note: str | None = None


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
    taken = Intervals([(h.start, h.end) for h in firm])
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
                    *as_tuple(rule.allow_regex),
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
                    found = find_patterns(
                        rule.patterns,
                        compact,
                        anchors.get(index) if rule.requires else None,
                        rule.pattern_needles,
                        words,
                    )
                    # A listed term is the finding; a pattern only adds what no term covers, so 治疗失眠 is
                    # reported as the term 治疗 and 调理便秘 (no term) as the pattern's span.
                    if spans and found:
                        listed = Intervals(spans)
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
            pattern_spans((allow_regex,), compact, windows_near(compact, spans), words) if allow_regex else []
        )
        allowed = Intervals(allows + found)
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
        near = windows_near(compact, kept) if lowering else None
        exempts = []
        for x in lowering:
            intervals = Intervals(pattern_spans((x.pattern,), compact, near, words))
            if intervals.spans:
                exempts.append((intervals, x.reason, x.severity))
        out = []
        for s, e in merge_overlapping(kept):
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
        found = pattern_spans(as_tuple(allow_regex), compact, windows_near(compact, spans), words)
        allowed = Intervals(allows + found)
        spans = [sp for sp in spans if sp[1] > sp[0] and not allowed.overlaps(*sp)]
        spans = merge_overlapping(spans)
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
        taken = Intervals([])
        out: list[Hit] = []
        for name in DETECTOR_ORDER:
            rule = by_detector.get(name)
            if rule is None:
                continue
            found = [sp for sp in spans[name] if not taken.overlaps(*sp)]
            out.extend(Hit(rule, *st.folded.original_span(s, e), rule.severity) for s, e in found)
            taken = Intervals(taken.spans + found)
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
