from __future__ import annotations

import numpy as np
import pytest

from models.evaluation import evaluate, format_report, threshold_for_precision
from models.predictor import Prediction


def test_threshold_reaches_the_requested_precision() -> None:
    truth = np.array([1, 1, 0, 1, 0, 0], dtype=bool)
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.1])
    assert threshold_for_precision(truth, scores, 1.0) == {
        "threshold": 0.8,
        "precision": 1.0,
        "recall": 2 / 3,
    }
    t = threshold_for_precision(truth, scores, 0.75)
    assert t is not None and t["threshold"] == 0.6 and t["recall"] == 1.0


def test_no_threshold_when_unreachable() -> None:
    assert threshold_for_precision(np.array([False, True]), np.array([0.9, 0.1]), 0.9) is None


def test_evaluate_figures_and_report() -> None:
    truth = ["negative", "negative", "neutral", "positive"]
    preds = [
        Prediction("negative", 0.9),
        Prediction("neutral", 0.4),
        Prediction("neutral", 0.2),
        Prediction("positive", 0.1),
    ]
    result = evaluate(truth, preds, target_precision=0.9)
    assert result["per_class"]["negative"] == pytest.approx(
        {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    )
    assert result["confusion_matrix"] == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert result["roc_auc_negative"] == 1.0
    text = format_report(result)
    assert "ROC-AUC of p_negative" in text and "confusion matrix" in text
