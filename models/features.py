"""Turning prepared text into feature strings (the analyzer shared by training and inference).

Features, each with a prefix so that the kinds never collide:

- ``w:`` jieba words and ``b:`` word bigrams: 不 差 / 没 让 keep short negations together;
- ``c:`` character 1-3 grams: robust to segmentation errors and unknown brand names;
- ``r:`` crisis/risk terms (召回, 处罚, 泄露 ...) plus ``r:*`` when any is present: a neutral-toned
  recall notice shares few words with an angry complaint, this feature is what they have in common;
- ``n:`` words inside a negator's scope (不 差 -> ``n:差``);
- ``l:`` opinion-lexicon cues with negation scope and a question cue (see ``models.lexicon``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable

from models import lexicon
from models.lexicon import lexicon_features
from models.risk_terms import RISK_TERMS
from models.text import MAX_CHARS

CHAR_NGRAMS = (1, 3)
_SKIP_WORDS = frozenset({" ", "，", "。", ",", ".", "、", "：", ":", "；", ";"})


def make_analyzer(cut: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """Build the analyzer around a tokeniser; the text must already be ``models.text.prepare``-d."""
    low, high = CHAR_NGRAMS
    risk_terms = RISK_TERMS

    def analyze(text: str) -> list[str]:
        tokens = cut(text)
        words = [w for w in tokens if w not in _SKIP_WORDS]
        feats = ["w:" + w for w in words]
        feats.extend(_negated_words(tokens))
        feats.extend(["b:" + a + " " + b for a, b in itertools.pairwise(words)])
        length = len(text)
        for n in range(low, high + 1):
            feats.extend(["c:" + text[i : i + n] for i in range(length - n + 1)])
        hits = ["r:" + term for term in risk_terms if term in text]
        if hits:
            feats.extend(hits)
            feats.append("r:*")
        feats.extend(lexicon_features(text))
        return feats

    return analyze


# Words a negator governs get an ``n:`` twin (不 差 -> n:差), so "not bad" stops looking like "bad";
# the scope ends after NEGATION_SCOPE words or at punctuation.
NEGATION_TOKENS = frozenset(
    {
        "不",
        "没",
        "没有",
        "无",
        "别",
        "从不",
        "从没",
        "从来不",
        "从来没",
        "并不",
        "并没有",
        "毫不",
        "绝不",
        "根本",
    }
)
NEGATION_SCOPE = 3
_CLAUSE_ENDS = frozenset({"，", "。", ",", ".", "！", "!", "？", "?", "；", ";", "、", "～", "~"})


def _negated_words(tokens: list[str]) -> list[str]:
    out: list[str] = []
    left = 0
    for token in tokens:
        if token in NEGATION_TOKENS:
            left = NEGATION_SCOPE
        elif token in _CLAUSE_ENDS:
            left = 0
        elif left and token != " ":
            out.append("n:" + token)
            left -= 1
    return out


def feature_fingerprint() -> str:
    """SHA-256 over every setting and word list the analyzer uses; stored in the artifact's metadata."""
    spec = {
        "max_chars": MAX_CHARS,
        "char_ngrams": CHAR_NGRAMS,
        "risk_terms": RISK_TERMS,
        "negative": lexicon.NEGATIVE_WORDS,
        "positive": lexicon.POSITIVE_WORDS,
        "negators": lexicon.NEGATORS,
        "negation_tokens": sorted(NEGATION_TOKENS),
        "negation_scope": NEGATION_SCOPE,
        "clause_ends": sorted(_CLAUSE_ENDS),
        "scope": lexicon.SCOPE,
        "skip": sorted(_SKIP_WORDS),
    }
    return hashlib.sha256(json.dumps(spec, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
