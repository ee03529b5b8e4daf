"""The scanning view of a text: folded, then with separator characters removed.

Why: 最 好, 最*佳, 最-佳 and 第 一 are classic evasions; removing the separators once per document lets
a plain Aho-Corasick scan catch them, and the two span maps (compact -> folded -> original) keep every
reported span pointing into the original text. Brackets count as separators (最（佳）); Chinese sentence
punctuation (，。！？；、) and title marks (《》) are kept, so terms never join across clauses.

Lines are hard boundaries: folding keeps every line break as "\n" (``fold(..., keep_lines=True)``), which is
not a separator, and a table-cell bar with space or a line end beside it (``| 销量第一 | 排名第一 |``) becomes
"\n" too. Without this, "销量第一\n排名第一" compacted to 销量第一排名第一, where the allowed ordinal 第一排
swallowed a real finding. A bar between two characters (最|佳) is still an evasion to see through. One
exception: a break right after 最 or 第 is a wrapped word, not a boundary — no line can end in those two
(they only ever start a word), so "性能最\n强" is still 最强.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

from rules.normalize import Folded, SpanMap, fold, fold_text, identity_map

# Folding already turned full-width forms into these ASCII ones and whitespace into spaces.
SEPARATORS = " *-_.·•~|/\\+=^`'\"#()[]{}<>【】「」『』〔〕"
# HTML entities for spaces and invisible characters are separators too (最&nbsp;佳 in pasted HTML). The
# entity-aware regex is several times slower than a plain character class, so it is only used when the
# text contains an '&'.
_CLASS = "[" + re.escape(SEPARATORS) + "]"
_WITH_ENTITIES = "(?:" + _CLASS + "|&(?:nbsp|ensp|emsp|thinsp|zwj|zwnj|#160|#8203|#x200b);)"
_SEPARATOR_RUN = re.compile(_WITH_ENTITIES + "+")
# X X* rather than X+: `re` only gives a pattern its fast character-set scan when it opens with the class
# itself, not with a repeat of it (2-3x faster on text with few separators).
_PLAIN_SPLIT = re.compile("(" + _CLASS + _CLASS + "*)")
_ENTITY_SPLIT = re.compile("(" + _WITH_ENTITIES + "+)")
# A table-cell bar: spaces or a line end on at least one side (Markdown tables, pasted spreadsheets), or
# any bar on a line that starts and ends with one (a Markdown table row written without spaces).
_CELL_BAR = re.compile(r"(?:(?<=[ \n])|^)\|(?=[ \n])|(?<=[ \n])\|$|^\|$", re.MULTILINE)
_TABLE_ROW = re.compile(r"^[ ]*\|[^\n]*\|[ ]*$", re.MULTILINE)


_WRAPPED = re.compile(r"(?<=[最第])\n+(?=[^\n])")


def _cells(text: str) -> str:
    text = _TABLE_ROW.sub(lambda m: m.group().replace("|", "\n"), text)
    return _CELL_BAR.sub("\n", text)


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
    # split() with a capturing group alternates kept pieces and separator runs; the running sums are
    # computed by accumulate() in C, which matters when copy has a separator every few dozen characters.
    parts = (_ENTITY_SPLIT if "&" in text else _PLAIN_SPLIT).split(text)
    if len(parts) == 1:
        return text, identity_map(len(text))
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
    folded = fold(original, keep_lines=True)
    # Both rewrites replace one character by one, so the span map stays valid.
    if "|" in folded.text:
        folded = Folded(_cells(folded.text), folded.map)
    if "\n" in folded.text and ("最\n" in folded.text or "第\n" in folded.text):
        folded = Folded(_WRAPPED.sub(lambda m: " " * len(m.group()), folded.text), folded.map)
    compact, cmap = _strip(folded.text)
    return ScanText(original, folded, compact, cmap)


def compact_term(term: str) -> str:
    """A term list entry in the form the scanner compares it with."""
    return _SEPARATOR_RUN.sub("", fold_text(term))
