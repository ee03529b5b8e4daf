"""Term search: every occurrence of many folded terms in one pass (Aho-Corasick, ahocorasick_rs).

Kept apart from the query language so that the matcher can build one automaton for every brand's
terms and evaluate each query on the shared hit table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from monitor.matching.folding import Span

if TYPE_CHECKING:
    import ahocorasick_rs

__all__ = ["TermIndex"]


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class TermIndex:
    """One Aho-Corasick automaton over many folded terms; ``find`` gives every occurrence of each term.

    Terms that begin or end with an ASCII letter/digit only match at a word boundary on that side, so
    "oppo" does not fire inside "opposite"; CJK terms match anywhere (Chinese has no word separators).
    """

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms: tuple[str, ...] = tuple(dict.fromkeys(t for t in terms if t))
        self._automaton: ahocorasick_rs.AhoCorasick | None = None
        if self.terms:
            import ahocorasick_rs

            # Standard + overlapping: 星河 and 星河手机 must both be reported at the same place.
            self._automaton = ahocorasick_rs.AhoCorasick(
                list(self.terms), matchkind=ahocorasick_rs.MatchKind.Standard
            )

    def find(self, folded_text: str) -> dict[str, list[Span]]:
        hits: dict[str, list[Span]] = {}
        if self._automaton is None or not folded_text:
            return hits
        last = len(folded_text)
        for index, start, end in self._automaton.find_matches_as_indexes(folded_text, overlapping=True):
            term = self.terms[index]
            if _is_word_char(term[0]) and start > 0 and _is_word_char(folded_text[start - 1]):
                continue
            if _is_word_char(term[-1]) and end < last and _is_word_char(folded_text[end]):
                continue
            hits.setdefault(term, []).append((start, end))
        return hits
