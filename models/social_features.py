"""Feature cues of social-media posts, computed on the parsed post (see ``models.social``).

Each cue is a small aggregate that carries over to sentences the model has not seen, which matters
because the in-domain data is a few thousand posts:

- ``e:<icon>`` every emoticon code / emoji as a token, and ``e:-`` / ``e:0`` / ``e:+`` its polarity
  from ``models/lexicons/emoticons.tsv``;
- ``s:-`` / ``s:0`` / ``s:+`` platform slang from ``models/lexicons/slang.tsv``, ``~`` appended when a
  negator stands just before it (没踩雷 is praise, 一点都不拉胯 too);
- ``k:but`` a contrast marker (但是, 不过, 可惜 ...) and ``k:>-`` / ``k:>+`` the polarity of what comes
  after it, which is the verdict of "praise, then but";
- ``q:pos`` praise inside quotation marks (真“贴心”的客服) — on these platforms that is sarcasm;
- ``v:-`` / ``v:0`` / ``v:+`` (and ``v:--`` / ``v:++`` when strong) the net polarity of the voice;
- ``x:news`` news register (【...】, 据报道, 通报, 回应 ...) and ``x:news+r`` news register with a risk
  term: an announced investigation is reported calmly but is still crisis news; ``x:me`` / ``x:me+r``
  the first person (a customer speaking), with a risk term;
- ``t:#`` hashtags present (their words are the topic and are not scored), ``p:repost`` / ``p:pass``
  the post is a repost / its newest layer only passes the post on, and ``o:v:-`` / ``o:v:+`` /
  ``o:r:*`` what the older layers say: present, but apart from the voice, so the newest voice wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from models import lexicon
from models.risk_terms import RISK_TERMS
from models.social import PASS_ON, Layer, Post
from models.social_lexicon import emoticon_polarity, lexicon_digest, slang_substrings, slang_words

CONTRAST_MARKERS: tuple[str, ...] = (
    "但是",
    "但",
    "不过",
    "可惜",
    "然而",
    "可是",
    "只是",
    "结果",
    "没想到",
    "谁知",
    "却",
    ",就是",
    ",后来",
    ",现在",
    ",这次",
)
CONTRAST_WORDS = frozenset({"but", "however", "though"})
NEWS_MARKERS: tuple[str, ...] = (
    "【",
    "据报道",
    "据悉",
    "记者",
    "通报",
    "官方",
    "宣布",
    "回应",
    "声明",
    "公告",
    "消息",
    "媒体",
    "监管",
    "总局",
    "部门",
    "法院",
    "涉事",
    "涉及",
    "批次",
    "已介入",
)
FIRST_PERSON: tuple[str, ...] = ("我", "咱", "俺", "姐妹", "家人们", "谁懂")
LATIN_NEGATORS = frozenset({"not", "no", "never", "dont", "don't", "isn't", "wasn't", "didn't"})
_QUOTED = re.compile(r"[“「『\"']([^”」』\"']{1,12})[”」』\"']")
_QUOTE_MARK = re.compile(r"[“「『\"']")  # an opening mark: one C scan instead of five
_LATIN = re.compile(r"[a-z][a-z0-9']*|[0-9]+")
_ANY_LATIN = re.compile(r"[a-z0-9]")
STRONG = 2  # |net polarity| at which the voice counts as strongly negative / positive
# Negation on the platforms often sits further before the word than models.lexicon's 4 characters
# (没一次让我失望) or after it (一点噪音都没有, 异味也没有); the scope never crosses a clause boundary.
NEGATORS_BEFORE: tuple[str, ...] = (
    "不",
    "没",
    "无",
    "别",
    "非",
    "未",
    "毫无",
    "绝不",
    "从不",
    "从没",
    "从来没",
)
NEGATORS_AFTER: tuple[str, ...] = ("都没有", "都没", "也没有", "也没", "没有", "全无", "都不")
SCOPE_BEFORE = 6
SCOPE_AFTER = 3
_ONE_CHAR_NEGATORS = frozenset(neg for neg in NEGATORS_BEFORE if len(neg) == 1)


def _key_chars(negators: tuple[str, ...]) -> frozenset[str]:
    """One character of every negator, a one-character negator where it has one (没 of 也没有): a
    window holding none of them holds no negator, so most windows skip the clause split. All their
    characters would do as well, but 有, 也 and 都 are too common to rule anything out."""
    return frozenset(next((c for c in neg if c in _ONE_CHAR_NEGATORS), neg[-1]) for neg in negators)


_BEFORE_KEYS = _key_chars(NEGATORS_BEFORE)
_AFTER_KEYS = _key_chars(NEGATORS_AFTER)
_CLAUSE = re.compile(r"[,.!?;:~、，。！？；：～\s]")


@cache
def _polarity_matcher() -> tuple[Any, tuple[int, ...], int]:
    """One automaton over the opinion lexicon and the slang: leftmost-longest, so 不满意 counts once."""
    import ahocorasick_rs

    slang_terms, slang_values = slang_substrings()
    words = lexicon.NEGATIVE_WORDS + lexicon.POSITIVE_WORDS + slang_terms
    values = (-1,) * len(lexicon.NEGATIVE_WORDS) + (1,) * len(lexicon.POSITIVE_WORDS) + slang_values
    automaton = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return automaton, values, len(lexicon.NEGATIVE_WORDS) + len(lexicon.POSITIVE_WORDS)


@dataclass(frozen=True, slots=True)
class Markers:
    """What one pass of the marker automaton found in a text."""

    risk: tuple[str, ...]  # risk terms present (each once)
    news: bool
    first_person: bool
    contrast_end: int  # end of the last contrast marker, -1 when there is none


_RISK, _NEWS, _ME, _CONTRAST = range(4)


@cache
def _marker_matcher() -> tuple[Any, tuple[int, ...], tuple[str, ...]]:
    """Risk terms, news register, first person and contrast markers in one automaton: one pass per text
    instead of ~130 substring searches (they were a third of the scoring time)."""
    import ahocorasick_rs

    groups = ((RISK_TERMS, _RISK), (NEWS_MARKERS, _NEWS), (FIRST_PERSON, _ME), (CONTRAST_MARKERS, _CONTRAST))
    words = tuple(w for terms, _ in groups for w in terms)
    kinds = tuple(kind for terms, kind in groups for _ in terms)
    return ahocorasick_rs.AhoCorasick(words), kinds, words


def scan(text: str) -> Markers:
    automaton, kinds, words = _marker_matcher()
    risk: dict[str, None] = {}
    news = me = False
    contrast_end = -1
    for index, _start, end in automaton.find_matches_as_indexes(text, overlapping=True):
        kind = kinds[index]
        if kind == _RISK:
            risk[words[index]] = None
        elif kind == _NEWS:
            news = True
        elif kind == _ME:
            me = True
        elif end > contrast_end:
            contrast_end = end
    return Markers(tuple(risk), news, me, contrast_end)


def is_negated(text: str, start: int, end: int) -> bool:
    """A negator within the same clause just before ``text[start:end]`` or right after it."""
    before = text[max(0, start - SCOPE_BEFORE) : start]
    if not _BEFORE_KEYS.isdisjoint(before):
        before = _CLAUSE.split(before)[-1]  # only the part of the window in the word's own clause
        if any(neg in before for neg in NEGATORS_BEFORE):
            return True
    after = text[end : end + SCOPE_AFTER + 1]
    if _AFTER_KEYS.isdisjoint(after):
        return False  # the common case, without a regex
    after = _CLAUSE.split(after)[0]
    return any(after.startswith(neg) or after[1:].startswith(neg) for neg in NEGATORS_AFTER)


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    if _QUOTE_MARK.search(text) is None:
        return []
    return [(m.start(1), m.end(1)) for m in _QUOTED.finditer(text)]


def layer_polarity(layer: Layer, markers: Markers, feats: list[str] | None = None) -> int:
    """Net polarity of one layer; when ``feats`` is given, append the cue features to it."""
    text = layer.text
    automaton, values, first_slang = _polarity_matcher()
    after = markers.contrast_end
    quoted = _quoted_spans(text)
    score = 0
    tail = 0
    head = 0
    for index, start, end in automaton.find_matches_as_indexes(text):
        value = values[index]
        flipped = value != 0 and is_negated(text, start, end)
        if flipped:
            value = -value
        if value > 0 and quoted and any(a <= start and end <= b for a, b in quoted):
            value = -1  # praise in quotes is mockery
            if feats is not None:
                feats.append("q:pos")
        if feats is not None and index >= first_slang:
            sign = "-" if values[index] < 0 else "+" if values[index] > 0 else "0"
            feats.append("s:" + sign + ("~" if flipped else ""))
        if after >= 0 and start >= after:
            tail += value
            value *= 2  # the clause after "but" is the verdict
        elif after >= 0:
            head += value
        score += value
    words = slang_words()
    if words and _ANY_LATIN.search(text):
        previous = ""
        for token in _LATIN.findall(text):
            value = words.get(token)
            if value is not None:
                negated = previous in LATIN_NEGATORS and value != 0
                if negated:
                    value = -value
                if feats is not None:
                    sign = "-" if words[token] < 0 else "+" if words[token] > 0 else "0"
                    feats.append("s:" + sign + ("~" if negated else ""))
                score += value
            elif token in CONTRAST_WORDS and after < 0:
                after = 0  # a Latin "but": mark the contrast (position-free, a cue only)
            previous = token
    polarities = emoticon_polarity()
    for icon in layer.emoticons:
        value = polarities.get(icon, 0)
        score += value
        if feats is not None:
            feats.append("e:" + icon)
            feats.append("e:" + ("-" if value < 0 else "+" if value > 0 else "0"))
    if feats is not None and after >= 0:
        feats.append("k:but")
        if tail:
            feats.append("k:>-" if tail < 0 else "k:>+")
        if head:
            # Praise before "but" announces a complaint after it, even when the complaint's words
            # are in no lexicon (音质不错，就是戴久了耳朵疼); a complaint before it announces praise.
            feats.append("k:<-" if head < 0 else "k:<+")
    if feats is not None and quoted:
        feats.append("q:quote")  # scare quotes around a claim (“名师”, “静音”) are mockery
    return score


def _sign(score: int, prefix: str) -> list[str]:
    if score < 0:
        return [prefix + "-", prefix + "--"] if score <= -STRONG else [prefix + "-"]
    if score > 0:
        return [prefix + "+", prefix + "++"] if score >= STRONG else [prefix + "+"]
    return [prefix + "0"]


def post_features(post: Post, markers: Markers) -> list[str]:
    """All social cue features of a parsed post (the voice's words are featurised elsewhere);
    ``markers`` is ``scan(post.voice.text)``."""
    feats: list[str] = []
    voice = post.voice
    feats.extend(_sign(layer_polarity(voice, markers, feats), "v:"))
    risky = bool(markers.risk)
    if markers.news:
        feats.append("x:news+r" if risky else "x:news")
    if markers.first_person:
        feats.append("x:me+r" if risky else "x:me")
    if voice.hashtags:
        feats.append("t:#")
    if post.reposts:
        feats.append("p:repost")
    if post.passed_on:
        feats.append("p:pass")
    for layer in post.older[:3]:
        older = scan(layer.text)
        score = layer_polarity(layer, older)
        if score:
            feats.append("o:v:-" if score < 0 else "o:v:+")
        if older.risk:
            feats.append("o:r:*")
    return feats


def spec() -> dict[str, Any]:
    """Everything above that changes features, for ``models.features.feature_fingerprint``."""
    return {
        "lexicon_files": lexicon_digest(),
        "contrast": CONTRAST_MARKERS,
        "contrast_words": sorted(CONTRAST_WORDS),
        "news": NEWS_MARKERS,
        "first_person": FIRST_PERSON,
        "latin_negators": sorted(LATIN_NEGATORS),
        "pass_on": sorted(PASS_ON),
        "strong": STRONG,
        "negators_before": NEGATORS_BEFORE,
        "negators_after": NEGATORS_AFTER,
        "scope": [SCOPE_BEFORE, SCOPE_AFTER],
        "version": 2,
    }
