"""Wording evidence for story linking: IDF-weighted overlap of characters, character pairs and Latin runs.

Two reports of one event share its rare words even when they word it differently (烧成空壳 /
烧得面目全非 share 烧; 偷税 / 逃税 share 税), while two events of one brand share only the brand and
headline furniture (【突发】, 热搜：), which are removed or weigh little. Weights are inverse document
frequencies from 20,000 news headlines (``alerts/story_idf.tsv``, written by bench/make_story_idf.py).
No tokeniser, no model: a comparison costs tens of microseconds.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

IDF_PATH = Path(__file__).with_name("story_idf.tsv")

# Words that say "this is a repost / news flash" rather than what happened.
_NOISE = re.compile(r"转发|转载|突发|快讯|最新|后续|热议|热搜|网传|微博|视频|网友|//@[^:：]*[:：]?")
_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")
# A single character says less than a pair: 烧 alone is evidence, 的 or 了 barely.
UNIGRAM_WEIGHT = 0.5


def _normalise(text: str, brand: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    if brand:
        text = text.replace(unicodedata.normalize("NFKC", brand).lower(), " ")
    return _NOISE.sub(" ", text)


def features(text: str, brand: str = "") -> frozenset[str]:
    """Chinese characters and adjacent pairs within a run, and whole Latin/digit runs (X7, 2024)."""
    found: set[str] = set()
    for run in _RUN.findall(_normalise(text, brand)):
        if run.isascii():
            found.add(run)
        else:
            found.update(run)
            found.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(found)


@lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    weights: dict[str, float] = {}
    documents = 1
    for line in IDF_PATH.read_text(encoding="utf-8").splitlines():
        feature, _, value = line.partition("\t")
        if feature == "#documents":
            documents = int(value)
        elif value:
            weights[feature] = float(value)
    # Unseen features are rarer than anything kept (kept: seen in 3+ headlines).
    return weights, math.log((documents + 1) / 3) + 1


def weight(feature: str) -> float:
    weights, unseen = _idf()
    value = weights.get(feature, unseen)
    return value * UNIGRAM_WEIGHT if len(feature) == 1 and not feature.isascii() else value


@lru_cache(maxsize=4096)
def weighted(text: str, brand: str = "") -> tuple[dict[str, float], float]:
    """Features of a text with their weights, and the total (cached: an incident's titles recur)."""
    found = {f: weight(f) for f in features(text, brand)}
    return found, sum(found.values())


def wording_similarity(a: str, b: str, *, brand: str = "") -> float:
    """Weighted overlap (0..1): the weight both texts share over the lighter text's weight.

    Overlap rather than Jaccard or cosine: a repost that adds a long comment to a short headline still
    contains the whole headline.
    """
    fa, wa = weighted(a, brand)
    fb, wb = weighted(b, brand)
    if len(fa) < 3 or len(fb) < 3 or not wa or not wb:
        return 0.0  # too short to tell stories apart
    shared = sum(fa[f] for f in fa.keys() & fb.keys())
    return shared / min(wa, wb)
