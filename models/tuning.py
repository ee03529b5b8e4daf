"""Choosing training settings by cross-validation on the brand-mention TRAIN split only.

The test split of models/data/brand_mentions.csv is never read here: folds are cut from the train
rows, the shared corpora stay in every fold's training set, and the score is negative-class F1 on the
held-out brand rows (the figure the issue asks for). Calibration is skipped while tuning (it does not
change the argmax), which makes each fit several times cheaper.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from models import tokenize
from models.features import make_analyzer
from models.text import prepare
from models.training import TrainConfig, build_corpus


def cross_validate(
    base: TrainConfig, grid: Iterable[dict[str, Any]], *, folds: int = 4
) -> list[dict[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, precision_score
    from sklearn.model_selection import StratifiedKFold

    shared = build_corpus(replace(base, in_domain=()))
    brand = build_corpus(replace(base, data=(), neutral=()))
    _, cut = tokenize.best_cutter()
    analyze = make_analyzer(cut)
    vectorizer = TfidfVectorizer(
        analyzer=lambda t: analyze(prepare(t)),
        min_df=base.min_df,
        max_features=base.max_features,
        sublinear_tf=True,
        dtype=np.float64,
    )
    from scipy.sparse import vstack

    vectorizer.fit(shared.texts + brand.texts)
    x_shared = vectorizer.transform(shared.texts)
    x_brand = vectorizer.transform(brand.texts)
    y_shared = np.asarray(shared.labels)
    y_brand = np.asarray(brand.labels)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=base.seed)
    from threadpoolctl import threadpool_limits

    results = []
    for params in grid:
        scores, precisions = [], []
        for train_idx, test_idx in splitter.split(x_brand, y_brand):
            weights = np.concatenate(
                [np.ones(len(y_shared)), np.full(len(train_idx), params["in_domain_weight"])]
            )
            clf = LogisticRegression(C=params["c"], max_iter=3000, random_state=base.seed)
            with threadpool_limits(1):
                clf.fit(
                    vstack([x_shared, x_brand[train_idx]]),
                    np.concatenate([y_shared, y_brand[train_idx]]),
                    sample_weight=weights,
                )
            predicted = clf.predict(x_brand[test_idx])
            truth = y_brand[test_idx]
            scores.append(f1_score(truth, predicted, labels=["negative"], average="macro"))
            precisions.append(precision_score(truth, predicted, labels=["negative"], average="macro"))
        results.append(
            {**params, "neg_f1": float(np.mean(scores)), "neg_precision": float(np.mean(precisions))}
        )
    return results
