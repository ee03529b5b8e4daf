"""Inference in plain numpy: the exported TF-IDF + logistic regression + temperature, no scikit-learn.

``import sklearn`` alone takes 1.5-1.8 s; the daemon and ``brandguard sentiment`` only need a sparse
lookup, a dot product and a softmax, which this module does batch-wise with ``np.bincount``; character
n-grams are matched as integer keys with ``np.searchsorted`` instead of building strings.
tests/models/test_parity.py proves the probabilities equal the scikit-learn pipeline's to 1e-6.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.artifact import ArtifactArrays
from models.features import CHAR_NGRAMS, SKIP_WORDS, Analyzer
from models.lookup import BITS, SKIP, code_points, decode
from models.text import prepare

NEGATIVE = "negative"
NEUTRAL = "neutral"
POSITIVE = "positive"
LABELS: tuple[str, ...] = (NEGATIVE, NEUTRAL, POSITIVE)


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
        # Lookups by integer key or token id, tables built when the artifact was written (models.lookup):
        # character n-grams in numpy (see _char_columns), words and bigrams by token id (_word_columns),
        # the remaining cues by feature string.
        tables = arrays.lookup
        self._vocabulary: dict[str, int] = dict(
            zip(decode(tables["cues"], tables["cue_cols"].shape[0]), tables["cue_cols"].tolist(), strict=True)
        )
        self._word_cols = tables["word_cols"]
        tokens = decode(tables["tokens"], self._word_cols.shape[0])
        self._token_ids: dict[str, int] = dict(zip(tokens, range(len(tokens)), strict=True))
        self._token_ids.update(dict.fromkeys(SKIP_WORDS, SKIP))
        self._bigram_keys = tables["bigram_keys"]
        self._bigram_cols = tables["bigram_cols"]
        self._char_keys = tables["char_keys"]
        self._char_cols = tables["char_cols"]
        # Single characters (a third of all n-grams) are looked up in a table indexed by code point + 1,
        # sized to the largest one in the vocabulary (not all 2^21: filling 17 MB was a tenth of the
        # start-up); keys above it are clipped to the last entry, which is always -1.
        unigram_keys = tables["unigram_keys"]
        self._unigram = np.full(int(unigram_keys.max(initial=0)) + 2, -1, dtype=np.int64)
        self._unigram[unigram_keys] = tables["unigram_cols"]
        self._idf = arrays.idf
        self._coef = arrays.coef
        # One contiguous row per class: gathering 1-D rows is ~3x faster than rows of the (n, 3) array.
        self._coef_by_class = np.ascontiguousarray(arrays.coef.T)
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
        points = code_points(joined)
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
                keys = (keys << BITS) | points[j : j + count]
            starts = rows[:count]
            if n == 1:
                cols = self._unigram[np.minimum(keys, self._unigram.shape[0] - 1)]
                hit1 = cols >= 0
                found_rows.append(starts[hit1])
                found_cols.append(cols[hit1])
                continue
            inside = starts == rows[n - 1 : n - 1 + count]  # the n-gram does not cross into the next text
            # Searching in sorted order walks the table once instead of jumping around it: argsort +
            # search took a third of the time of the search alone. The pairs' order does not matter
            # (predict_proba sorts them with np.unique).
            order = np.argsort(keys[inside])
            keys = keys[inside][order]
            where = np.searchsorted(self._char_keys, keys)
            where[where == self._char_keys.shape[0]] = 0
            hit = self._char_keys[where] == keys if self._char_keys.shape[0] else np.zeros(keys.shape, bool)
            found_rows.append(starts[inside][order][hit])
            found_cols.append(self._char_cols[where[hit]])
        if not found_rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(found_rows), np.concatenate(found_cols)

    def _word_columns(self, ids: np.ndarray, n_tokens: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every ``w:`` word and ``b:`` bigram of the batch that is in the vocabulary,
        from the token ids (-1 unknown, ``SKIP`` punctuation, as ``Analyzer.token_features`` drops it)."""
        rows = np.repeat(np.arange(len(n_tokens), dtype=np.int64), n_tokens)
        kept = ids != SKIP
        ids, rows = ids[kept], rows[kept]
        known = ids >= 0
        cols = self._word_cols[ids[known]]  # -1: the word only occurs inside bigram features
        hit = cols >= 0
        # Bigrams pair neighbouring words of one text; an unknown word makes its bigrams unknown too.
        pair = (rows[1:] == rows[:-1]) & known[1:] & known[:-1]
        keys = (ids[:-1][pair] << 32) | ids[1:][pair]
        order = np.argsort(keys)  # sorted queries search faster, see _char_columns
        keys = keys[order]
        found = np.zeros(keys.shape, dtype=bool)
        where = np.zeros(keys.shape, dtype=np.intp)
        if self._bigram_keys.shape[0]:
            where = np.searchsorted(self._bigram_keys, keys)
            where[where == self._bigram_keys.shape[0]] = 0
            found = self._bigram_keys[where] == keys
        return (
            np.concatenate([rows[known][hit], rows[:-1][pair][order][found]]),
            np.concatenate([cols[hit], self._bigram_cols[where[found]]]),
        )

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, shape ``(len(texts), len(self.labels))``, columns = ``labels``."""
        # Python does the tokenising and dict lookups of the non-character features; character n-grams,
        # counting and everything after are vectorised per batch.
        get = self._vocabulary.get
        token_id = self._token_ids.get
        token_parts = self._analyze.token_parts
        cols: list[int] = []
        lengths: list[int] = []
        ids: list[int] = []
        n_tokens: list[int] = []
        char_texts: list[str] = []
        missing = itertools.repeat(-1)  # unknown features map to -1 in C and are dropped in numpy
        for text in texts:
            char_text, tokens, cues = token_parts(prepare(text))
            ids.extend(map(token_id, tokens, missing))
            n_tokens.append(len(tokens))
            cols.extend(map(get, cues, missing))
            lengths.append(len(cues))
            char_texts.append(char_text)
        n = len(texts)
        n_features = self._idf.shape[0]
        char_rows, char_cols = self._char_columns(char_texts)
        word_rows, word_cols = self._word_columns(np.asarray(ids, dtype=np.int64), n_tokens)
        cue_cols = np.asarray(cols, dtype=np.int64)
        known = cue_cols >= 0
        cue_rows = np.repeat(np.arange(n, dtype=np.int64), lengths)[known]
        row_of = np.concatenate([cue_rows, word_rows, char_rows])
        col_of = np.concatenate([cue_cols[known], word_cols, char_cols])
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
        logits = np.empty((n, self._coef.shape[1]), dtype=np.float64)
        for k, coef in enumerate(self._coef_by_class):
            logits[:, k] = np.bincount(row_ids, weights=coef[col_ids] * values, minlength=n)
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
        # Plain Python lists: indexing numpy rows and scalars text by text cost more than the softmax.
        labels = [self.labels[index] for index in proba.argmax(axis=1).tolist()]
        p_negative: list[float] = proba[:, self._negative].tolist()
        out: list[Prediction] = []
        for text, label, p in zip(texts, labels, p_negative, strict=True):
            if not text.strip():
                # Nothing was said, so there is nothing to alert on; the model's prior would be noise.
                out.append(Prediction(NEUTRAL, 0.0))
            else:
                out.append(Prediction(label, p))
        return out
