"""The normalisation applied to brand-query terms and to post texts before matching.

It is ``rules.normalize`` folding (NFKC width, traditional -> simplified, ASCII lower case, whitespace
runs -> one space) plus one rule of its own: no space at all between two CJK characters, because
Chinese does not put spaces between words and a spaced-out "星 河 手 机" is evasion or layout noise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rules.normalize import fold, fold_text

Span = tuple[int, int]

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
_OTHER_SPACE = re.compile(r"[^\S ]")


def fold_for_match(text: str) -> str:
    """Fold ``text`` for matching; the crawl's hot path, so it does as little as it can."""
    folded = fold_text(text)
    # Guard first: the regexes cost ~10 us per 150 characters of Chinese, and most texts have no
    # whitespace left after folding. Runs are collapsed again because folding can leave two spaces
    # where it removed an invisible character (zero-width space) between them.
    if " " in folded or _OTHER_SPACE.search(folded):
        folded = _SPACES.sub(" ", _SPACE_BETWEEN_CJK.sub("", folded))
    return folded.strip()


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """``fold_for_match(text)`` plus, per folded character, the index of its original character
    (and a final sentinel ``len(text)``), so hit spans can be highlighted in the original text.
    Slower than ``fold_for_match``; meant for display, not for the crawl path."""
    folded = fold(text)
    base, offsets = folded.text, folded.offsets
    drop = {m.start() + i for m in _SPACE_BETWEEN_CJK.finditer(base) for i in range(m.end() - m.start())}
    chars: list[str] = []
    kept: list[int] = []
    for i, ch in enumerate(base):
        if i in drop:
            continue
        if ch.isspace():
            if not chars or chars[-1] == " ":
                continue  # leading space or a run: one space stands for all
            ch = " "
        chars.append(ch)
        kept.append(offsets[i])
    if chars and chars[-1] == " ":
        chars.pop()
        kept.pop()
    return "".join(chars), [*kept, len(text)]


def original_span(offsets: Sequence[int], span: Span) -> Span:
    """Map a span of folded text back to the original text using ``fold_with_offsets`` offsets."""
    start, end = span
    return offsets[start], offsets[end - 1] + 1 if end > start else offsets[start]
