"""Inference in plain numpy: the exported TF-IDF + logistic regression + temperature, no scikit-learn.

``import sklearn`` alone takes 1.5-1.8 s; the daemon and ``brandguard sentiment`` only need a sparse
lookup, a dot product and a softmax, which this module does batch-wise with ``np.bincount``.
tests/models/test_parity.py proves the probabilities equal the scikit-learn pipeline's to 1e-6.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.artifact import ArtifactArrays
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

    def __init__(self, arrays: ArtifactArrays, analyze: Callable[[str], list[str]], tokenizer: str) -> None:
        self.metadata: dict[str, Any] = arrays.metadata
        self.labels: tuple[str, ...] = tuple(arrays.metadata["labels"])
        self.version: str = str(arrays.metadata.get("model_version", "unknown"))
        self.tokenizer = tokenizer
        self._vocabulary = {term: index for index, term in enumerate(arrays.vocabulary)}
        self._idf = arrays.idf
        self._coef = arrays.coef
        self._intercept = arrays.intercept
        self._temperature = arrays.temperature
        self._sublinear = bool(arrays.metadata.get("sublinear_tf", True))
        self._analyze = analyze
        self._negative = self.labels.index(NEGATIVE)
        self._neutral = self.labels.index(NEUTRAL)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, shape ``(len(texts), len(self.labels))``, columns = ``labels``."""
        # Python does only the dict lookups; counting and everything after is vectorised per batch.
        get = self._vocabulary.get
        analyze = self._analyze
        cols: list[int] = []
        lengths: list[int] = []
        for text in texts:
            found = [i for i in map(get, analyze(prepare(text))) if i is not None]
            cols.extend(found)
            lengths.append(len(found))
        n = len(texts)
        n_features = self._idf.shape[0]
        row_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys = row_of * n_features + np.asarray(cols, dtype=np.int64)
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
