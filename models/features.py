"""Turning prepared text into feature strings (the analyzer shared by training and inference).

Features, each with a prefix so that the kinds never collide:

- ``w:`` jieba words and ``b:`` word bigrams: 不 差 / 没 让 keep short negations together;
- ``c:`` character 1-3 grams: robust to segmentation errors and unknown brand names;
- ``r:`` crisis/risk terms (召回, 处罚, 泄露 ...) plus ``r:*`` when any is present: a neutral-toned
  recall notice shares few words with an angry complaint, this feature is what they have in common;
- ``n:`` words inside a negator's scope (不 差 -> ``n:差``);
- ``l:`` opinion-lexicon cues with negation scope and a question cue (see ``models.lexicon``);
- social-media cues (emoticons, slang, contrast, quoted praise, news register, repost layers,
  hashtags), see ``models.social_features``.

All of them are taken from the post's *voice* (``models.social.parse``): the newest repost layer, with
hashtags, emoticon codes, emoji and @names taken out of the words (they become their own features).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable

from models import lexicon
from models.lexicon import lexicon_features
from models.risk_terms import RISK_TERMS
from models.social import parse
from models.social_features import post_features, scan
from models.social_features import spec as social_spec
from models.text import MAX_CHARS

CHAR_NGRAMS = (1, 3)
SKIP_WORDS = frozenset({" ", "，", "。", ",", ".", "、", "：", ":", "；", ";"})


class Analyzer:
    """The analyzer around a tokeniser; texts must already be ``models.text.prepare``-d.

    ``analyzer(text)`` is the full feature list (what scikit-learn's vectorizer sees at training).
    ``token_features(text)`` returns ``(char_text, features)``: everything except the character
    n-grams, and the text those n-grams are taken from. Inference computes the n-grams of a whole batch
    in numpy from ``char_text`` (``models.predictor``) — they are ~3/4 of all features, and building them
    as Python strings was half the scoring time. ``token_parts(text)`` goes one step further for
    inference: the words and word bigrams are left as tokens, which the predictor maps to integer ids.
    All paths give the same multiset of features (tests/models/test_parity.py).
    """

    def __init__(self, cut: Callable[[str], list[str]]) -> None:
        self._cut = cut

    def token_parts(self, text: str) -> tuple[str, list[str], list[str]]:
        """``(voice, tokens, cues)``: the voice, its jieba tokens (the ``w:`` / ``b:`` features are made
        from them) and every other non-character feature. Inference looks the tokens up as integer ids
        (``models.predictor``) instead of building ~40 ``w:`` / ``b:`` strings per text."""
        post = parse(text)
        voice = post.voice.text
        tokens = self._cut(voice)
        cues = _negated_words(tokens)
        markers = scan(voice)
        if markers.risk:
            cues.extend(["r:" + term for term in markers.risk])
            cues.append("r:*")
        cues.extend(lexicon_features(voice))
        cues.extend(post_features(post, markers))
        return voice, tokens, cues

    def token_features(self, text: str) -> tuple[str, list[str]]:
        voice, tokens, cues = self.token_parts(text)
        words = [w for w in tokens if w not in SKIP_WORDS]
        feats = ["w:" + w for w in words]
        feats.extend(["b:" + a + " " + b for a, b in itertools.pairwise(words)])
        feats.extend(cues)
        return voice, feats

    def __call__(self, text: str) -> list[str]:
        voice, feats = self.token_features(text)
        feats.extend(char_ngrams(voice))
        return feats


def char_ngrams(text: str) -> list[str]:
    low, high = CHAR_NGRAMS
    length = len(text)
    out: list[str] = []
    for n in range(low, high + 1):
        out.extend(["c:" + text[i : i + n] for i in range(length - n + 1)])
    return out


def make_analyzer(cut: Callable[[str], list[str]]) -> Analyzer:
    """Build the analyzer around a tokeniser; the text must already be ``models.text.prepare``-d."""
    return Analyzer(cut)


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
    if NEGATION_TOKENS.isdisjoint(tokens):
        return []  # most texts: skip the Python loop
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
        "skip": sorted(SKIP_WORDS),
        "social": social_spec(),
    }
    return hashlib.sha256(json.dumps(spec, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
