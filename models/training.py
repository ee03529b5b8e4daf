"""Training: scikit-learn TF-IDF + multinomial logistic regression, temperature-calibrated, exported.

Recipe (what the shipped model uses; see MODEL_CARD.md):

- ``data``: labelled files (reviews: positive/negative);
- ``neutral``: unlabelled neutral text (news headlines). Headlines that contain a risk term (召回, 处罚,
  曝光 ...) are DROPPED: our guideline labels neutral-toned crisis news negative, so keeping them as
  neutral would teach the opposite;
- ``in_domain``: labelled brand mentions and social posts (only ``split == train`` rows when a split
  column exists), weighted up because they are few and they are the domain we alert on.

Rows of ``data`` and ``neutral`` files in the held-out slice (``models.heldout``, ~10% by a hash of the
text) are never used, so the in-domain review and headline figures are measured on unseen rows.

Each file is subsampled to ``max_rows_per_file`` with the seed, so training is reproducible and stays
under ~2 minutes on 2 cores. This module imports scikit-learn; inference (models.predictor) does not.
"""

from __future__ import annotations

import platform
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from models import tokenize
from models.artifact import write_artifact
from models.datasets import Example, file_digest, read_labelled, read_texts
from models.errors import DataError
from models.features import CHAR_NGRAMS, feature_fingerprint, make_analyzer
from models.heldout import HELDOUT_PERCENT, is_heldout
from models.predictor import LABELS, NEUTRAL
from models.risk_terms import RISK_TERMS
from models.text import MAX_CHARS, prepare

MODEL_VERSION = "2.0.0"


@dataclass
class TrainConfig:
    data: Sequence[Path] = ()
    neutral: Sequence[Path] = ()
    in_domain: Sequence[Path] = ()
    seed: int = 13
    max_rows_per_file: int = 8000
    in_domain_weight: float = 10.0
    max_features: int = 150_000
    min_df: int = 2
    c: float = 4.0
    cv_folds: int = 5


@dataclass
class Corpus:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)


def _sample(items: list[Any], limit: int, rng: random.Random) -> list[Any]:
    return items if len(items) <= limit else rng.sample(items, limit)


def build_corpus(config: TrainConfig) -> Corpus:
    """Read, filter and subsample every source with the seed; record each file's hash and row count."""
    rng = random.Random(config.seed)
    corpus = Corpus()

    def add(path: Path, role: str, examples: list[Example], weight: float, dropped: int = 0) -> None:
        corpus.texts.extend(e.text for e in examples)
        corpus.labels.extend(e.label for e in examples)
        corpus.weights.extend([weight] * len(examples))
        corpus.sources.append(
            {
                "path": str(path),
                "role": role,
                "sha256": file_digest(path),
                "rows_used": len(examples),
                "rows_dropped_risk_terms": dropped,
                "weight": weight,
                "labels": dict(sorted(Counter(e.label for e in examples).items())),
            }
        )

    for path in config.data:
        # The held-out slice (models.heldout) is what in-domain figures are measured on: never train on it.
        rows = [e for e in read_labelled(path) if not is_heldout(e.text)]
        add(path, "data", _sample(rows, config.max_rows_per_file, rng), 1.0)
    for path in config.neutral:
        texts = [t for t in read_texts(path) if not is_heldout(t)]
        kept = [t for t in texts if not any(term in t for term in RISK_TERMS)]
        examples = [Example(t, NEUTRAL) for t in _sample(kept, config.max_rows_per_file, rng)]
        add(path, "neutral", examples, 1.0, dropped=len(texts) - len(kept))
    for path in config.in_domain:
        try:
            examples = read_labelled(path, split="train")
        except DataError:
            examples = read_labelled(path)
        add(path, "in_domain", _sample(examples, config.max_rows_per_file, rng), config.in_domain_weight)
    missing = set(LABELS) - set(corpus.labels)
    if missing:
        raise DataError(f"training data has no examples of: {', '.join(sorted(missing))}")
    return corpus


@dataclass
class FittedPipeline:
    vectorizer: Any
    calibrated: Any
    config: TrainConfig
    tokenizer: str

    def export_arrays(self) -> dict[str, Any]:
        inner = self.calibrated.calibrated_classifiers_[0]
        estimator = inner.estimator
        # Temperature scaling label-encodes y, so the inner estimator's classes are 0..2 in the order
        # of the outer classes_ (sorted names), which must be LABELS for the exported columns.
        if tuple(self.calibrated.classes_) != LABELS:
            raise DataError(f"unexpected class order {tuple(self.calibrated.classes_)}")
        vocab = self.vectorizer.vocabulary_
        terms = [""] * len(vocab)
        for term, index in vocab.items():
            terms[index] = term
        return {
            "vocabulary": terms,
            "idf": self.vectorizer.idf_,
            "coef": estimator.coef_.T,
            "intercept": estimator.intercept_,
            "temperature": float(np.asarray(inner.calibrators[0].beta_)),
        }

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.calibrated.predict_proba(self.vectorizer.transform(list(texts)))


def fit(corpus: Corpus, config: TrainConfig) -> FittedPipeline:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    smallest = min(Counter(corpus.labels).values())
    if smallest < 2:
        raise DataError("training data needs at least 2 examples of every label for calibration")
    # Calibration folds must each see every class; tiny data sets get fewer folds rather than an error.
    folds = min(config.cv_folds, smallest)
    name, cut = tokenize.best_cutter()
    analyze = make_analyzer(cut)
    vectorizer = TfidfVectorizer(
        analyzer=lambda text: analyze(prepare(text)),
        min_df=config.min_df,
        max_features=config.max_features,
        sublinear_tf=True,
        dtype=np.float64,
    )
    matrix = vectorizer.fit_transform(corpus.texts)
    classifier = LogisticRegression(C=config.c, max_iter=3000, random_state=config.seed)
    calibrated = CalibratedClassifierCV(
        classifier,
        method="temperature",
        cv=StratifiedKFold(folds, shuffle=True, random_state=config.seed),
        ensemble=False,
    )
    # One BLAS thread: L-BFGS on sparse data gains nothing from threads, and on a shared 2-core
    # machine OpenBLAS's spinning threads made each fit ~10x slower in wall time (measured).
    with threadpool_limits(1):
        calibrated.fit(matrix, np.asarray(corpus.labels), sample_weight=np.asarray(corpus.weights))
    return FittedPipeline(vectorizer, calibrated, config, name)


def train(config: TrainConfig, out: Path) -> dict[str, Any]:
    """Fit and export to ``out``; return the metadata written (plus ``metadata_sha256``)."""
    import sklearn

    started = time.perf_counter()
    corpus = build_corpus(config)
    fitted = fit(corpus, config)
    arrays = fitted.export_arrays()
    metadata: dict[str, Any] = {
        "model_version": MODEL_VERSION,
        "labels": list(LABELS),
        "max_chars": MAX_CHARS,
        "char_ngrams": list(CHAR_NGRAMS),
        "risk_terms": list(RISK_TERMS),
        "feature_fingerprint": feature_fingerprint(),
        "sublinear_tf": True,
        "n_features": len(arrays["vocabulary"]),
        "tokenizer": {**tokenize.versions(), "hmm": False, "used_for_training": fitted.tokenizer},
        "versions": {
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "training": {
            "seed": config.seed,
            "max_rows_per_file": config.max_rows_per_file,
            "in_domain_weight": config.in_domain_weight,
            "max_features": config.max_features,
            "min_df": config.min_df,
            "C": config.c,
            "cv_folds": config.cv_folds,
            "classifier": "LogisticRegression(multinomial, lbfgs)",
            "calibration": "CalibratedClassifierCV(method='temperature', ensemble=False)",
            "rows": len(corpus.texts),
            "heldout_percent_of_shared_corpora": HELDOUT_PERCENT,
            "labels": dict(sorted(Counter(corpus.labels).items())),
        },
        "data": corpus.sources,
    }
    digest = write_artifact(out, metadata=metadata, **arrays)
    metadata["metadata_sha256"] = digest
    metadata["seconds"] = round(time.perf_counter() - started, 1)
    return metadata
