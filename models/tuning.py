"""Choosing training settings by cross-validation on the in-domain TRAIN splits only.

The test splits of models/data/brand_mentions.csv and social_mentions.csv are never read here: folds
are cut from the train rows of the in-domain files (grouped by template, so the two brand fillings of
one social template never sit on both sides of a fold), the shared corpora stay in every fold's
training set, and the scores are negative-class F1 / precision and accuracy on the held-out in-domain
rows, per file. Calibration is skipped while tuning (it does not change the argmax), which makes each
fit several times cheaper.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from models import tokenize
from models.datasets import read_labelled
from models.features import make_analyzer
from models.text import prepare
from models.training import TrainConfig, build_corpus


def cross_validate(
    base: TrainConfig, grid: Iterable[dict[str, Any]], *, folds: int = 4
) -> list[dict[str, Any]]:
    """One result per grid point: its params plus ``<file stem>_neg_f1`` / ``_neg_precision`` /
    ``_accuracy`` (mean over folds) for every in-domain file, and ``neg_f1`` over all of them."""
    from scipy.sparse import vstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score, precision_score
    from sklearn.model_selection import StratifiedGroupKFold
    from threadpoolctl import threadpool_limits

    shared = build_corpus(replace(base, in_domain=()))
    texts: list[str] = []
    labels: list[str] = []
    groups: list[str] = []
    origin: list[str] = []
    for path in base.in_domain:
        for example in read_labelled(Path(path), split="train"):
            texts.append(example.text)
            labels.append(example.label)
            groups.append(example.group)
            origin.append(Path(path).stem)
    _, cut = tokenize.best_cutter()
    analyze = make_analyzer(cut)
    vectorizer = TfidfVectorizer(
        analyzer=lambda t: analyze(prepare(t)),
        min_df=base.min_df,
        max_features=base.max_features,
        sublinear_tf=True,
        dtype=np.float64,
    )
    vectorizer.fit(shared.texts + texts)
    x_shared = vectorizer.transform(shared.texts)
    x_brand = vectorizer.transform(texts)
    y_shared = np.asarray(shared.labels)
    y_brand = np.asarray(labels)
    sources = np.asarray(origin)
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=base.seed)
    splits = list(splitter.split(x_brand, y_brand, groups))

    results = []
    for params in grid:
        scores: dict[str, list[float]] = {}
        for train_idx, test_idx in splits:
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
            for name in ["all", *sorted(set(origin))]:
                mask = np.ones(len(test_idx), bool) if name == "all" else sources[test_idx] == name
                t, p = truth[mask], predicted[mask]
                prefix = "" if name == "all" else name + "_"
                scores.setdefault(prefix + "neg_f1", []).append(
                    f1_score(t, p, labels=["negative"], average="macro", zero_division=0)
                )
                scores.setdefault(prefix + "neg_precision", []).append(
                    precision_score(t, p, labels=["negative"], average="macro", zero_division=0)
                )
                scores.setdefault(prefix + "accuracy", []).append(accuracy_score(t, p))
        results.append({**params, **{k: round(float(np.mean(v)), 4) for k, v in scores.items()}})
    return results


def main(argv: list[str] | None = None) -> None:
    """``python -m models.tuning [--shared DIR] '{"in_domain_weight": 10, "c": 4}' ...``: one JSON line
    of cross-validated figures per setting (train splits only)."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m models.tuning")
    parser.add_argument("--shared", type=Path, default=Path("../shared/data/sentiment"))
    parser.add_argument("settings", nargs="*", default=['{"in_domain_weight": 10, "c": 4}'])
    args = parser.parse_args(argv)
    data_dir = Path(__file__).resolve().parent / "data"
    base = TrainConfig(
        data=[args.shared / "reviews.csv"],
        neutral=[args.shared / "news_headlines.csv"],
        in_domain=[data_dir / "brand_mentions.csv", data_dir / "social_mentions.csv"],
    )
    for result in cross_validate(base, [json.loads(s) for s in args.settings]):
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
