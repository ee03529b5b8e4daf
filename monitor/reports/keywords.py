"""Rising keywords and phrases (上升关键词): jieba words and two-word phrases whose document frequency in
this period's sample exceeds what the previous period's rate predicts.

    excess(term) = count_now - count_before x (texts_now / texts_before)

Terms are ranked by excess; single characters, numbers, stop words and the brands' own names are left
out, and so is any word inside a brand's name (they are always "frequent"). jieba is imported on the
first call only, never by ``brandguard check``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

STOP_WORDS = frozenset(
    {
        "我们",
        "你们",
        "他们",
        "什么",
        "这个",
        "那个",
        "一个",
        "没有",
        "就是",
        "还是",
        "因为",
        "所以",
        "但是",
        "而且",
        "如果",
        "可以",
        "已经",
        "自己",
        "今天",
        "真的",
        "觉得",
        "这样",
        "怎么",
        "不是",
        "这么",
        "大家",
        "现在",
        "时候",
        "一下",
        "知道",
        "还有",
        "以及",
        "进行",
        "表示",
        "相关",
        "目前",
        "记者",
        "http",
        "https",
        "www",
        "com",
        "cn",
    }
)
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9]+$")
MIN_COUNT = 2


@dataclass(frozen=True)
class RisingTerm:
    term: str
    count: int
    previous: int
    excess: float


def _terms(text: str, cut: Callable[[str], list[str]], exclude: frozenset[str]) -> set[str]:
    # jieba splits 甲品牌 into 甲 / 品牌: a word inside a brand's name is the brand, not news.
    # ``exclude`` holds every substring of the names (see rising_terms): one set lookup per word.
    words = [w for w in cut(text) if _WORD.match(w) and w not in STOP_WORDS and w.lower() not in exclude]
    phrases = {a + b for a, b in pairwise(words) if len(a + b) <= 8}
    return set(words) | phrases


def _document_frequency(
    texts: Iterable[str], cut: Callable[[str], list[str]], exclude: frozenset[str]
) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_terms(text, cut, exclude))
    return counts


def rising_terms(
    current: Sequence[str],
    previous: Sequence[str],
    *,
    exclude: Iterable[str] = (),
    limit: int = 10,
    cut: Callable[[str], list[str]] | None = None,
) -> list[RisingTerm]:
    if not current:
        return []
    if cut is None:
        from models.tokenize import best_cutter

        cut = best_cutter()[1]
    names = [e.lower() for e in exclude]
    banned = frozenset(n[i:j] for n in names for i in range(len(n)) for j in range(i + 1, len(n) + 1))
    now_counts = _document_frequency(current, cut, banned)
    before = _document_frequency(previous, cut, banned)
    scale = len(current) / len(previous) if previous else 0.0
    ranked = [
        RisingTerm(term, count, before.get(term, 0), count - before.get(term, 0) * scale)
        for term, count in now_counts.items()
        if count >= MIN_COUNT
    ]
    ranked = [t for t in ranked if t.excess > 0]
    ranked.sort(key=lambda t: (-t.excess, -t.count, -len(t.term), t.term))
    return ranked[:limit]
