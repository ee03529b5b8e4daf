"""Inference in plain numpy: the exported TF-IDF + logistic regression + temperature, no scikit-learn.

``import sklearn`` alone takes 1.5-1.8 s; the daemon and ``brandguard sentiment`` only need a sparse
lookup, a dot product and a softmax, which this module does batch-wise with ``np.bincount``; character
n-grams are matched as integer keys with ``np.searchsorted`` instead of building strings.
tests/models/test_parity.py proves the probabilities equal the scikit-learn pipeline's to 1e-6.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.artifact import ArtifactArrays
from models.errors import ArtifactError
from models.features import CHAR_NGRAMS, Analyzer
from models.text import prepare

NEGATIVE = "negative"
NEUTRAL = "neutral"
POSITIVE = "positive"
LABELS: tuple[str, ...] = (NEGATIVE, NEUTRAL, POSITIVE)
_BITS = 21  # every code point + 1 fits in 21 bits, so a 3-gram key fits in 63


_LOW, _HIGH = CHAR_NGRAMS


def _char_range(vocabulary: list[str]) -> tuple[int, int]:
    """``[lo, hi)``: the character n-grams, contiguous because scikit-learn sorts its vocabulary and
    every n-gram starts with "c:". Found by bisection: a per-term check was a tenth of start-up."""
    if vocabulary != sorted(vocabulary):
        raise ArtifactError("vocabulary.json: terms are not in scikit-learn's sorted order; retrain")
    return bisect.bisect_left(vocabulary, "c:"), bisect.bisect_left(vocabulary, "c;")  # ";" follows ":"


def _code_points(text: str) -> np.ndarray:
    """One int64 per code point, plus 1 so that no code point is 0 (keys of different n never collide)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64) + 1


def _gram_keys(terms: list[str], prefix: int = 0) -> np.ndarray:
    """Integer keys of character n-grams (each term minus its first ``prefix`` characters), the same as
    ``_char_columns`` computes from running text: for "abc", ((a+1) << 42) | ((b+1) << 21) | (c+1).
    Vectorised because a model has ~10^5 of them and a Python loop here was half of the start-up time."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)) - prefix
    if len(terms) and not (lengths.min() >= _LOW and lengths.max() <= _HIGH):
        raise ArtifactError(f"vocabulary.json: character n-grams outside {_LOW}-{_HIGH}; retrain")
    points = _code_points("".join(terms))
    starts = np.cumsum(lengths + prefix) - lengths
    keys = np.zeros(len(terms), dtype=np.int64)
    for j in range(int(lengths.max(initial=0))):
        longer = lengths > j
        keys[longer] = (keys[longer] << _BITS) | points[starts[longer] + j]
    return keys


@dataclass(frozen=True, slots=True)
class Prediction:
    """``label`` is the most probable class; ``p_negative`` the calibrated probability of negative."""

    label: str
    p_negative: float


class SentimentModel:
    """A loaded sentiment model. Build it with ``models.load_model``; it is safe to share across threads."""

    def __init__(self, arrays: ArtifactArrays, analyze: Analyzer, tokenizer: str) -> None:
        self.metadata: dict[str, Any] = arrays.metadata
        self.labels: tuple[str, ...] = tuple(arrays.metadata["labels"])
        self.version: str = str(arrays.metadata.get("model_version", "unknown"))
        self.tokenizer = tokenizer
        # Character n-grams are looked up in numpy (see _char_columns); everything else by dict.
        vocabulary = arrays.vocabulary
        lo, hi = _char_range(vocabulary)
        self._vocabulary: dict[str, int] = dict(zip(vocabulary[:lo], range(lo), strict=True))
        self._vocabulary.update(zip(vocabulary[hi:], range(hi, len(vocabulary)), strict=True))
        char_cols = np.arange(lo, hi, dtype=np.int64)
        char_keys = _gram_keys(vocabulary[lo:hi], prefix=2)
        # Single characters (a third of all n-grams) are looked up in a table indexed by code point + 1;
        # longer n-grams by binary search in the sorted keys.
        single = char_keys < (1 << _BITS)
        self._unigram = np.full((1 << _BITS) + 1, -1, dtype=np.int64)
        self._unigram[char_keys[single]] = char_cols[single]
        order = np.argsort(char_keys[~single], kind="stable")
        self._char_keys = char_keys[~single][order]
        self._char_cols = char_cols[~single][order]
        self._idf = arrays.idf
        self._coef = arrays.coef
        self._intercept = arrays.intercept
        self._temperature = arrays.temperature
        self._sublinear = bool(arrays.metadata.get("sublinear_tf", True))
        self._analyze = analyze
        self._negative = self.labels.index(NEGATIVE)
        self._neutral = self.labels.index(NEUTRAL)

    def _char_columns(self, char_texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every character n-gram of the batch that is in the vocabulary."""
        low, high = CHAR_NGRAMS
        lengths = np.fromiter(map(len, char_texts), dtype=np.int64, count=len(char_texts))
        joined = "".join(char_texts)
        points = _code_points(joined)
        rows = np.repeat(np.arange(len(char_texts), dtype=np.int64), lengths)
        total = points.shape[0]
        found_rows: list[np.ndarray] = []
        found_cols: list[np.ndarray] = []
        for n in range(low, high + 1):
            if total < n:
                break
            count = total - n + 1
            keys = points[:count].copy()
            for j in range(1, n):
                keys = (keys << _BITS) | points[j : j + count]
            starts = rows[:count]
            if n == 1:
                cols = self._unigram[keys]
                hit1 = cols >= 0
                found_rows.append(starts[hit1])
                found_cols.append(cols[hit1])
                continue
            inside = starts == rows[n - 1 : n - 1 + count]  # the n-gram does not cross into the next text
            keys = keys[inside]
            where = np.searchsorted(self._char_keys, keys)
            where[where == self._char_keys.shape[0]] = 0
            hit = self._char_keys[where] == keys if self._char_keys.shape[0] else np.zeros(keys.shape, bool)
            found_rows.append(starts[inside][hit])
            found_cols.append(self._char_cols[where[hit]])
        if not found_rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(found_rows), np.concatenate(found_cols)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, shape ``(len(texts), len(self.labels))``, columns = ``labels``."""
        # Python does the tokenising and dict lookups of the non-character features; character n-grams,
        # counting and everything after are vectorised per batch.
        get = self._vocabulary.get
        token_features = self._analyze.token_features
        cols: list[int] = []
        lengths: list[int] = []
        char_texts: list[str] = []
        missing = itertools.repeat(-1)  # unknown features map to -1 in C and are dropped in numpy
        for text in texts:
            char_text, feats = token_features(prepare(text))
            cols.extend(map(get, feats, missing))
            lengths.append(len(feats))
            char_texts.append(char_text)
        n = len(texts)
        n_features = self._idf.shape[0]
        char_rows, char_cols = self._char_columns(char_texts)
        word_cols = np.asarray(cols, dtype=np.int64)
        known = word_cols >= 0
        word_rows = np.repeat(np.arange(n, dtype=np.int64), lengths)[known]
        row_of = np.concatenate([word_rows, char_rows])
        col_of = np.concatenate([word_cols[known], char_cols])
        keys = row_of * n_features + col_of
        unique_keys, counts = np.unique(keys, return_counts=True)
        row_ids = (unique_keys // n_features).astype(np.intp)
        col_ids = (unique_keys % n_features).astype(np.intp)
        tf = counts.astype(np.float64)
        if self._sublinear:
            tf = np.log(tf) + 1.0
        values = tf * self._idf[col_ids]
        norms = np.sqrt(np.bincount(row_ids, weights=values * values, minlength=n))
        norms[norms == 0.0] = 1.0
        values /= norms[row_ids]
        weighted = self._coef[col_ids] * values[:, None]
        logits = np.empty((n, self._coef.shape[1]), dtype=np.float64)
        for k in range(self._coef.shape[1]):
            logits[:, k] = np.bincount(row_ids, weights=weighted[:, k], minlength=n)
        logits += self._intercept
        scaled = logits * self._temperature
        scaled -= scaled.max(axis=1, keepdims=True)
        np.exp(scaled, out=scaled)
        scaled /= scaled.sum(axis=1, keepdims=True)
        return scaled

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per text, in order. Empty or blank texts are neutral with ``p_negative`` 0.0."""
        if not texts:
            return []
        proba = self.predict_proba(texts)
        best = proba.argmax(axis=1)
        out: list[Prediction] = []
        for text, row, index in zip(texts, proba, best, strict=True):
            if not text.strip():
                # Nothing was said, so there is nothing to alert on; the model's prior would be noise.
                out.append(Prediction(NEUTRAL, 0.0))
            else:
                out.append(Prediction(self.labels[index], float(row[self._negative])))
        return out
