"""The predictor's lookup tables, derived from the vocabulary once, when the artifact is written.

``models.predictor`` does not look features up by their strings: character n-grams are integer keys
of their code points (binary search in ``char_keys``, a table for single characters), words and word
bigrams are token ids (``word_cols``, ``bigram_keys``), and only the ~10^3 other cues are a dict of
strings. Building these tables from the 150,000-term ``vocabulary.json`` at every start (JSON parse,
sort check, n-gram keys, bigram splits) was ~70 ms of CPU of each `brandguard sentiment` start; stored
as plain arrays in ``weights.npz`` (``np.load(..., allow_pickle=False)``) they load in a few ms.
``vocabulary.json`` stays in the artifact as the readable, hash-checked list of terms they come from.
"""

from __future__ import annotations

import bisect

import numpy as np

from models.errors import ArtifactError
from models.features import CHAR_NGRAMS, SKIP_WORDS

BITS = 21  # every code point + 1 fits in 21 bits, so a 3-gram key fits in 63
SKIP = -2  # token id of the punctuation and spaces that are left out of words and bigrams
# Members of weights.npz besides the weights; strings are stored as UTF-8 bytes joined by "\n".
TABLES = (
    "char_keys",
    "char_cols",
    "unigram_keys",
    "unigram_cols",
    "word_cols",
    "bigram_keys",
    "bigram_cols",
    "tokens",
    "cue_cols",
    "cues",
)
_LOW, _HIGH = CHAR_NGRAMS


def code_points(text: str) -> np.ndarray:
    """One int64 per code point, plus 1 so that no code point is 0 (keys of different n never collide)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64) + 1


def _gram_keys(terms: list[str], prefix: int) -> np.ndarray:
    """Integer keys of character n-grams (each term minus its first ``prefix`` characters), the same as
    the predictor computes from running text: for "abc", ((a+1) << 42) | ((b+1) << 21) | (c+1)."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)) - prefix
    if len(terms) and not (lengths.min() >= _LOW and lengths.max() <= _HIGH):
        raise ArtifactError(f"vocabulary.json: character n-grams outside {_LOW}-{_HIGH}; retrain")
    points = code_points("".join(terms))
    starts = np.cumsum(lengths + prefix) - lengths
    keys = np.zeros(len(terms), dtype=np.int64)
    for j in range(int(lengths.max(initial=0))):
        longer = lengths > j
        keys[longer] = (keys[longer] << BITS) | points[starts[longer] + j]
    return keys


def _encode(strings: list[str]) -> np.ndarray:
    if any("\n" in s for s in strings):
        raise ArtifactError("vocabulary.json: a term contains a line break; retrain")
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def decode(array: np.ndarray, count: int) -> list[str]:
    """The ``count`` strings of an ``_encode``-d array."""
    return array.tobytes().decode("utf-8").split("\n") if count else []


def build_lookup(vocabulary: list[str]) -> dict[str, np.ndarray]:
    """All tables of ``TABLES`` for a vocabulary in scikit-learn's (sorted) order."""
    if vocabulary != sorted(vocabulary):
        raise ArtifactError("vocabulary.json: terms are not in scikit-learn's sorted order; retrain")

    def span(prefix: str) -> tuple[int, int]:  # contiguous because the vocabulary is sorted
        return bisect.bisect_left(vocabulary, prefix + ":"), bisect.bisect_left(vocabulary, prefix + ";")

    (c_lo, c_hi), (b_lo, b_hi), (w_lo, w_hi) = span("c"), span("b"), span("w")
    char_keys = _gram_keys(vocabulary[c_lo:c_hi], prefix=2)
    char_cols = np.arange(c_lo, c_hi, dtype=np.int64)
    single = char_keys < (1 << BITS)
    order = np.argsort(char_keys[~single], kind="stable")
    # Token ids: the w: words first (id i is column w_lo + i), then words only seen inside bigrams.
    ids: dict[str, int] = {term[2:]: i for i, term in enumerate(vocabulary[w_lo:w_hi])}
    keys: list[int] = []
    cols: list[int] = []
    for col in range(b_lo, b_hi):
        # "b:x y z" is registered under every split at a space, so a pair (a, b) is found exactly
        # when "b:" + a + " " + b is the term.
        body = vocabulary[col][2:]
        at = body.find(" ")
        while at >= 0:
            keys.append(ids.setdefault(body[:at], len(ids)) << 32 | ids.setdefault(body[at + 1 :], len(ids)))
            cols.append(col)
            at = body.find(" ", at + 1)
    if not SKIP_WORDS.isdisjoint(ids):
        raise ArtifactError("vocabulary.json: a word or bigram feature contains punctuation; retrain")
    word_cols = np.full(len(ids), -1, dtype=np.int64)
    word_cols[: w_hi - w_lo] = np.arange(w_lo, w_hi, dtype=np.int64)
    bigram_keys = np.asarray(keys, dtype=np.int64)
    bigram_order = np.argsort(bigram_keys, kind="stable")
    cue_cols = [
        i
        for lo, hi in ((0, b_lo), (b_hi, c_lo), (c_hi, w_lo), (w_hi, len(vocabulary)))
        for i in range(lo, hi)
    ]
    return {
        "char_keys": char_keys[~single][order],
        "char_cols": char_cols[~single][order],
        "unigram_keys": char_keys[single],
        "unigram_cols": char_cols[single],
        "word_cols": word_cols,
        "bigram_keys": bigram_keys[bigram_order],
        "bigram_cols": np.asarray(cols, dtype=np.int64)[bigram_order],
        "tokens": _encode(list(ids)),
        "cue_cols": np.asarray(cue_cols, dtype=np.int64),
        "cues": _encode([vocabulary[i] for i in cue_cols]),
    }


def check_lookup(tables: dict[str, np.ndarray], n_features: int) -> str | None:
    """What is wrong with loaded tables (shapes, types, columns out of range), or None. Cheap: numpy."""
    for name in TABLES:
        array = tables[name]
        wanted = np.uint8 if name in ("tokens", "cues") else np.int64
        if array.ndim != 1 or array.dtype != wanted:
            return f"table {name!r} is not a 1-d {np.dtype(wanted).name} array"
    pairs = (("char_keys", "char_cols"), ("unigram_keys", "unigram_cols"), ("bigram_keys", "bigram_cols"))
    for keys, cols in pairs:
        if tables[keys].shape != tables[cols].shape:
            return f"tables {keys!r} and {cols!r} differ in length"
        if np.any(tables[keys][1:] < tables[keys][:-1]) and keys != "unigram_keys":
            return f"table {keys!r} is not sorted"
    for name in ("char_cols", "unigram_cols", "bigram_cols", "cue_cols"):
        if tables[name].size and not (tables[name].min() >= 0 and tables[name].max() < n_features):
            return f"table {name!r} has columns outside 0-{n_features - 1}"
    words = tables["word_cols"]
    if words.size and not (words.min() >= -1 and words.max() < n_features):
        return f"table 'word_cols' has columns outside 0-{n_features - 1}"
    singles = tables["unigram_keys"]
    if singles.size and not (singles.min() > 0 and singles.max() < 1 << BITS):
        return "table 'unigram_keys' has keys that are not code points"
    return None
