"""The scanning view of a text: folded, then with separator characters removed.

Why: 最 好, 最*佳, 最-佳 and 第 一 are classic evasions; removing the separators once per document lets
a plain Aho-Corasick scan catch them, and the two span maps (compact -> folded -> original) keep every
reported span pointing into the original text. Chinese sentence punctuation (，。！？；、) is kept, so
terms never join across clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

from rules.normalize import Folded, SpanMap, fold, fold_text, identity_map

# Folding already turned full-width forms into these ASCII ones and whitespace into spaces.
SEPARATORS = " *-_.·•~|/\\+=^`'\"#"
_SEPARATOR_RUN = re.compile("[" + re.escape(SEPARATORS) + "]+")
_SEPARATOR_SPLIT = re.compile("([" + re.escape(SEPARATORS) + "]+)")


@dataclass(frozen=True)
class ScanText:
    """``compact`` is what matchers scan; ``folded`` keeps separators (for word-boundary checks)."""

    original: str
    folded: Folded
    compact: str
    compact_map: SpanMap

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        fs, fe = self.compact_map.span(start, end)
        return self.folded.original_span(fs, fe)

    def folded_index(self, compact_index: int) -> int:
        return self.compact_map.index(compact_index)


def _strip(text: str) -> tuple[str, SpanMap]:
    if _SEPARATOR_RUN.search(text) is None:
        return text, identity_map(len(text))
    # split() with a capturing group alternates kept pieces and separator runs; the running sums are
    # computed by accumulate() in C, which matters when copy has a separator every few dozen characters.
    parts = _SEPARATOR_SPLIT.split(text)
    lengths = list(map(len, parts))
    old_starts_all = [0, *accumulate(lengths)]
    pieces = parts[0::2]
    keep = [i for i, piece in enumerate(pieces) if piece]
    piece_lengths = [lengths[2 * i] for i in keep]
    new_starts = [0, *accumulate(piece_lengths)][:-1]
    old_starts = [old_starts_all[2 * i] for i in keep]
    length = sum(piece_lengths)
    if not new_starts:
        new_starts, old_starts = [0], [len(text)]
    return "".join(pieces), SpanMap(new_starts, old_starts, len(text), length)


def scan_text(original: str) -> ScanText:
    folded = fold(original)
    compact, cmap = _strip(folded.text)
    return ScanText(original, folded, compact, cmap)


def compact_term(term: str) -> str:
    """A term list entry in the form the scanner compares it with."""
    return _SEPARATOR_RUN.sub("", fold_text(term))
