"""Crisis / risk vocabulary (投诉, 曝光, 召回 ...) for the monitoring pipeline and alert policy."""

from __future__ import annotations

from functools import cache

import ahocorasick_rs

from rules.compact import compact_term, scan_text
from rules.rulepack import PACK_DIR, load_term_list


@cache
def _automaton() -> tuple[str, tuple[str, ...], ahocorasick_rs.AhoCorasick]:
    version, raw = load_term_list(PACK_DIR / "risk_terms.toml")
    terms = tuple(dict.fromkeys(compact_term(t) for t in raw))
    return version, terms, ahocorasick_rs.AhoCorasick(list(terms))


def risk_terms_version() -> str:
    return _automaton()[0]


def risk_terms(text: str) -> list[str]:
    """Distinct risk terms in ``text`` (folded forms), in order of first occurrence.

    Matching is on folded, separator-free text, so 投訴, 投 诉 and 投诉 all give ``"投诉"``. Overlapping
    terms are all reported (食物中毒 gives both 食物中毒 and 中毒).
    """
    _, terms, ac = _automaton()
    found: dict[str, None] = {}
    for index, _s, _e in sorted(
        ac.find_matches_as_indexes(scan_text(text).compact, overlapping=True), key=lambda m: (m[1], m[2])
    ):
        found.setdefault(terms[index])
    return list(found)
