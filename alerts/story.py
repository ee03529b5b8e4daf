"""Same story, different key: a conservative text match between a mention and an open incident.

The dedup stage links near-duplicates by fingerprint (``story_key``). Reposts that add a prefix
("转发：", "【突发】") or a short comment, and the same event told by another source, often get a new key.
The policy then asks this module whether the mention's title tells the same story as an open
incident of the same brand. Evidence, in order: the event facts (``alerts.story_events``: kind of
event, model, city) decide when they can; otherwise the wording does, by two measures: the plain
character-bigram overlap (``similarity``, the measure the configured ``story_similarity`` bars were set
for) and the IDF-weighted overlap of ``alerts.story_text`` (rare shared words weigh more, so the same
event told in other words still links). Pure and cheap: no tokeniser, no model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from alerts.story_events import facts, verdict
from alerts.story_text import wording_similarity

# The IDF-weighted overlap at or above which two texts tell the same story. Chosen on the dev half of
# the public sohu2021 pairs (bench/story_linking_real.py), never on its test half: the highest F1 whose
# precision stayed above 0.8; the own and held-out sets keep precision 1.0 at this value.
WORDING_BAR = 0.2
# The plain-overlap bar WORDING_BAR goes with (the configured default); a lower configured bar, as with
# a shared crisis term, lowers WORDING_BAR in proportion.
PLAIN_BAR = 0.6

# Words that say "this is a repost/news flash" rather than what happened.
_NOISE = re.compile(r"转发|转载|突发|快讯|最新|后续|热议|微博|视频|网友|//@[^:：]*[:：]?")
_KEEP = re.compile(r"[\w]", re.UNICODE)


def _normalise(text: str, brand: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    if brand:
        text = text.replace(unicodedata.normalize("NFKC", brand).lower(), " ")
    text = _NOISE.sub(" ", text)
    return "".join(ch if _KEEP.match(ch) else " " for ch in text)


def bigrams(text: str, brand: str = "") -> frozenset[str]:
    grams: set[str] = set()
    for part in _normalise(text, brand).split():
        if len(part) == 1:
            continue
        grams.update(part[i : i + 2] for i in range(len(part) - 1))
    return frozenset(grams)


def similarity(a: str, b: str, *, brand: str = "") -> float:
    """Overlap coefficient of character bigrams (0..1), with the brand name and repost noise removed.

    Overlap rather than Jaccard: a repost that adds a long comment to a short headline still contains
    the whole headline.
    """
    ga, gb = bigrams(a, brand), bigrams(b, brand)
    if len(ga) < 3 or len(gb) < 3:
        return 0.0  # too short to tell stories apart
    return len(ga & gb) / min(len(ga), len(gb))


def wording_score(a: str, b: str, *, brand: str = "", min_similarity: float = PLAIN_BAR) -> float:
    """How far past its bar the better of the two wording measures is: >= 1.0 means the same story."""
    plain = similarity(a, b, brand=brand) / min_similarity
    return max(plain, wording_similarity(a, b, brand=brand) / (WORDING_BAR * min_similarity / PLAIN_BAR))


def same_story(a: str, b: str, *, brand: str = "", min_similarity: float = PLAIN_BAR) -> bool:
    """Whether two headlines of one brand tell the same story.

    The event facts decide first: they link 起火 with 自燃 and keep a recall apart from a data leak, or
    Shanghai's fire from Hangzhou's, even when both titles share a template. Only when the facts do not
    tell does the wording decide (see ``wording_score``).
    """
    decided = verdict(facts(a, brand), facts(b, brand))
    if decided is not None:
        return decided
    return wording_score(a, b, brand=brand, min_similarity=min_similarity) >= 1.0


def best_match(
    text: str,
    risk_terms: Sequence[str],
    candidates: Sequence[tuple[int, Sequence[str], Sequence[str]]],
    *,
    brand: str,
    min_similarity: float,
    min_similarity_with_terms: float,
) -> int | None:
    """The candidate incident telling the same story, or None.

    ``candidates``: (incident_id, crisis_terms, recent mention titles). A shared crisis term (自燃, 召回
    ...) lowers both wording bars in the configured proportion: two posts about the same model catching
    fire rarely share many characters.
    """
    best: tuple[float, int] | None = None
    terms = set(risk_terms)
    mine = facts(text, brand)
    for incident_id, crisis_terms, titles in candidates:
        votes = [verdict(mine, facts(t, brand)) for t in titles]
        if False in votes and True not in votes:
            continue  # the incident's titles name another event, model or city
        bar = min_similarity_with_terms if terms & set(crisis_terms) else min_similarity
        score = max((wording_score(text, t, brand=brand, min_similarity=bar) for t in titles), default=0.0)
        if True in votes:
            score = max(score, 1.0)  # same kind of event, nothing contradicting: the same story
        if score >= 1.0 and (best is None or score > best[0]):
            best = (score, incident_id)
    return best[1] if best else None
