"""De-duplication: a stable key per item, and a SimHash fingerprint that links reposts into one story.

``stable_key`` makes re-fetching idempotent (guid, else canonical link, else title + date).
``simhash`` + ``link_story`` group near-duplicates: the same story reposted by other accounts or sites
with 转发 prefixes, 【】 tags and "来源：..." suffixes gets the same ``story_key``, so an incident
counts one story instead of alerting once per repost.

Fingerprints are unsigned 64-bit integers (``monitor.storage.mentions_repo`` converts them to the signed
BigInteger column and back); ``hamming`` masks to 64 bits so a signed value compares correctly too. A
fingerprint of 0 means "too little text to fingerprint" and never links.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from monitor.matching.folding import fold_for_match

MASK64 = (1 << 64) - 1
SHINGLE = 3  # characters (fixed: see simhash); 3-grams keep short posts apart while tolerating edits
MIN_SHINGLES = 4  # fewer than this after cleaning: no fingerprint (0)
_BIT_POSITIONS = np.arange(64, dtype=np.uint64)
_BIT_VALUES = np.left_shift(np.uint64(1), _BIT_POSITIONS)

# Parameters that only say who shared a link or which campaign it came from.
_TRACKING_EXACT = frozenset(
    {
        "spm",
        "from",
        "scm",
        "share",
        "share_source",
        "share_medium",
        "share_from",
        "share_plat",
        "share_tag",
        "sharer",
        "vd_source",
        "isappinstalled",
        "wfr",
        "fbclid",
        "gclid",
        "ref_src",
    }
)
_TRACKING_PREFIXES = ("utm_", "share_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_link(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters, sorted query."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal: hostname drops the brackets
    try:
        port = parts.port
    except ValueError:  # a feed's broken link must not stop the crawl; keep what was written
        port, host = None, parts.netloc.rpartition("@")[2].lower()
    netloc = f"{host}:{port}" if port and port != _DEFAULT_PORTS.get(scheme) else host
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING_EXACT and not k.lower().startswith(_TRACKING_PREFIXES)
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stable_key(guid: str | None, link: str | None, title: str | None, published: datetime | None) -> str:
    """sha256 hex of the first usable identity: trimmed guid, canonical link, or folded title + UTC date.

    A guid is scoped by the link's host: JSON APIs number their posts 1, 2, 3 ..., and two sites'
    post 12345 must not collapse into one mention (the table is unique on brand + key).
    """
    if guid and guid.strip():
        return _sha256("guid:" + guid.strip() + "|" + _host(link))
    if link and link.strip():
        return _sha256("link:" + canonical_link(link))
    when = published.astimezone(UTC).isoformat(timespec="seconds") if published else ""
    return _sha256("title:" + fold_for_match(title or "") + "|" + when)


def _host(link: str | None) -> str:
    if not link:
        return ""
    try:
        return (urlsplit(link.strip()).hostname or "").lower()
    except ValueError:
        return ""


def document_keys(
    items: Sequence[tuple[str | None, str | None, str | None, datetime | None]],
) -> list[str]:
    """Stable keys for all items of one fetched document (each item: guid, link, title, published).

    Some feeds repeat one guid for every entry (the site URL, or a CMS placeholder). A guid seen more
    than once in one document identifies nothing, so those items fall back to link / title + date;
    true duplicates (same link and title too) still get equal keys and the insert stays idempotent.
    """
    counts = Counter(g.strip() for g, *_ in items if g and g.strip())
    keys = []
    for guid, link, title, published in items:
        usable = guid if guid and counts[guid.strip()] == 1 else None
        keys.append(stable_key(usable, link, title, published))
    return keys


# --- near-duplicates ----------------------------------------------------------------------------

# Repost noise that says nothing about the story: 转发 prefixes, //@someone: chains, 【tags】,
# "来源：XX" / "（via XX）" attributions, links, hashtags, @mentions. Each pattern is cheap on its own;
# the attribution one is only run on the tail, where attributions sit (anchored at $ it would otherwise
# be retried at every position of a long text).
_NOISE = re.compile(
    r"https?://\S+"
    r"|//@[^:：\s]{1,30}[:：]?"
    r"|@[^\s:：,，。]{1,30}"
    r"|【[^】]{0,30}】"
    r"|#[^#]{1,40}#"
    r"|^(?:\s*(?:转发微博|转发|转载|repost|rt)\s*[:：]?)+"
    r"|转发微博|原文链接|查看原文|网页链接|全文"
)
_ATTRIBUTION = re.compile(
    r"[（(]?\s*(?:来源|来自|source|via|作者|编辑|责编|记者)\s*[:：]?[^）)。\n]{0,30}[）)]?\s*$"
)
_TAIL = 48
# Punctuation, symbols and whitespace differ between reposts and carry no story content.
_NOT_WORD = re.compile(r"[\W_]+")


def _clean(text: str) -> str:
    folded = _NOISE.sub(" ", fold_for_match(text))
    head, tail = folded[:-_TAIL], folded[-_TAIL:]
    folded = head + _ATTRIBUTION.sub(" ", tail)
    return _NOT_WORD.sub("", folded)


def _mix64(keys: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads each 63-bit shingle key over all 64 bits (uint64 arrays wrap)."""
    z = keys + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def simhash(text: str) -> int:
    """64-bit SimHash (unsigned; 0 = no fingerprint) of character 3-gram shingles of de-noised folded text.

    Character shingles, not jieba tokens: this runs for every fetched item in the daemon's hot path.
    A code point fits in 21 bits, so a 3-character shingle packs losslessly into one 63-bit key and the
    whole computation stays in numpy (no per-shingle Python hashing); the result does not depend on
    the process (unlike ``hash()``), so stored fingerprints stay comparable across restarts.
    """
    cleaned = _clean(text)
    if len(cleaned) < SHINGLE:
        return 0
    cps = np.frombuffer(cleaned.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    keys = np.unique((cps[:-2] << np.uint64(42)) | (cps[1:-1] << np.uint64(21)) | cps[2:])
    if len(keys) < MIN_SHINGLES:
        return 0
    hashes = _mix64(keys)
    # Column b of ``bits`` is bit b of every shingle hash; a fingerprint bit is set when more shingles
    # have it set than not.
    bits = (hashes[:, None] >> _BIT_POSITIONS) & np.uint64(1)
    votes = 2 * bits.sum(axis=0, dtype=np.int64) - len(keys)
    value = int(np.sum(np.where(votes > 0, _BIT_VALUES, np.uint64(0)), dtype=np.uint64))
    return value or 1  # never 0: that means "no fingerprint"


def simhash_many(texts: Sequence[str]) -> list[int]:
    """``[simhash(t) for t in texts]`` in one pass of array operations over all of them.

    A feed's 20 items cost 20 rounds of a dozen small NumPy calls each, most of it call overhead; here
    the shingles of every text are cut from one concatenation, de-duplicated per text with one sort,
    and their bit votes summed per text with ``reduceat``.
    """
    cleaned = [_clean(t) for t in texts]
    ends = np.cumsum([len(c) for c in cleaned], dtype=np.int64)
    starts = ends - np.array([len(c) for c in cleaned], dtype=np.int64)
    cps = np.frombuffer("".join(cleaned).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cps) < SHINGLE:
        return [0] * len(texts)
    position = np.arange(len(cps) - 2, dtype=np.int64)
    text_of = np.searchsorted(ends, position, side="right")
    inside = position + SHINGLE <= ends[np.minimum(text_of, len(ends) - 1)]  # no shingle spans two texts
    keys = ((cps[:-2] << np.uint64(42)) | (cps[1:-1] << np.uint64(21)) | cps[2:])[inside]
    text_of = text_of[inside]
    order = np.lexsort((keys, text_of))
    keys, text_of = keys[order], text_of[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = (keys[1:] != keys[:-1]) | (text_of[1:] != text_of[:-1])
    keys, text_of = keys[first], text_of[first]
    counts = np.bincount(text_of, minlength=len(texts))
    values = [0] * len(texts)
    present = np.flatnonzero(counts)
    if len(present) == 0:
        return values
    # Column b = bit b of each shingle hash (little-endian bytes, least significant bit first).
    bits = np.unpackbits(_mix64(keys).astype("<u8").view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    offsets = np.concatenate(([0], np.cumsum(counts[present])[:-1]))
    votes = 2 * np.add.reduceat(bits, offsets, axis=0, dtype=np.int64) - counts[present][:, None]
    sums = np.where(votes > 0, _BIT_VALUES, np.uint64(0)).sum(axis=1, dtype=np.uint64)
    for index, value in zip(present.tolist(), map(int, np.asarray(sums)), strict=True):
        if counts[index] >= MIN_SHINGLES and ends[index] - starts[index] >= SHINGLE:
            values[index] = value or 1
    return values


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & MASK64).bit_count()


# Measured on our test stories: a short comment added to a repost moves its fingerprint 3-7 bits, while
# different stories about the same brand stay >= 20 bits apart. 8 links commented reposts and keeps a
# wide margin; the textbook 3 (near-identical web pages) split one crisis into several incidents.
STORY_MAX_DISTANCE = 8


def link_story(
    fingerprint: int, recent: Sequence[tuple[int, str]], max_distance: int = STORY_MAX_DISTANCE
) -> str | None:
    """story_key of the nearest recent (fingerprint, story_key) within ``max_distance`` bits, else None.

    Ties go to the earliest entry in ``recent``. Vectorised: the recent window of a busy brand holds
    thousands of fingerprints and this runs once per new mention.
    """
    if not fingerprint or not recent:
        return None
    others = np.fromiter((fp & MASK64 for fp, _ in recent), dtype=np.uint64, count=len(recent))
    distance, best = nearest_fingerprint(fingerprint, others)
    return recent[best][1] if distance <= max_distance else None


def nearest_fingerprint(fingerprint: int, others: np.ndarray) -> tuple[int, int]:
    """(Hamming distance, index) of the nearest of ``others`` (uint64); 65 when there is none.

    Ties go to the lowest index. 0 in ``others`` means "no fingerprint" and is never a neighbour.
    """
    if not fingerprint or not len(others):
        return 65, 0
    distances = np.bitwise_count(others ^ np.uint64(fingerprint & MASK64)).astype(np.int64)
    distances[others == 0] = 65
    best = int(np.argmin(distances))
    return int(distances[best]), best


class RecentStories:
    """``link_story`` over a window that grows while a batch is matched, without rebuilding the array.

    ``link_story`` converts its whole list per call; matching a 10,000-row import against a window that
    grows with it made that O(n²) (the ingest benchmark spent most of its time there). Same answers:
    nearest fingerprint within ``max_distance``, ties to the earliest entry.
    """

    def __init__(self, recent: Sequence[tuple[int, str]]) -> None:
        self._stories = [story for _, story in recent]
        self._fps = np.zeros(max(64, 2 * len(recent)), dtype=np.uint64)
        self._fps[: len(recent)] = [fp & MASK64 for fp, _ in recent]
        self._n = len(recent)

    def nearest(self, fingerprint: int) -> tuple[int, str | None]:
        """(Hamming distance, story) of the nearest entry; (65, None) when there is none."""
        distance, best = nearest_fingerprint(fingerprint, self._fps[: self._n])
        return (distance, self._stories[best]) if distance <= 64 else (65, None)

    def link(self, fingerprint: int, max_distance: int = STORY_MAX_DISTANCE) -> str | None:
        distance, story = self.nearest(fingerprint)
        return story if distance <= max_distance else None

    def add(self, fingerprint: int, story: str) -> None:
        if self._n == len(self._fps):
            grown = np.zeros(2 * len(self._fps), dtype=np.uint64)
            grown[: self._n] = self._fps
            self._fps = grown
        self._fps[self._n] = fingerprint & MASK64
        self._stories.append(story)
        self._n += 1


def new_story_key(fingerprint: int, fallback: str = "") -> str:
    """Story key for an item that linked to no recent story: its fingerprint, or ``fallback`` (dedup key)."""
    if not fingerprint:
        return fallback
    return f"sh:{fingerprint & MASK64:016x}"
