"""Evaluation figures: per-class precision/recall/F1, confusion matrix, ROC-AUC of p_negative, and the
lowest p_negative threshold that reaches a requested negative-class precision (imports scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from models.predictor import LABELS, NEGATIVE, Prediction


def threshold_for_precision(
    truth_negative: np.ndarray, p_negative: np.ndarray, target: float
) -> dict[str, float] | None:
    """Lowest threshold t such that "p_negative >= t" has precision >= target; None if none does."""
    from sklearn.metrics import precision_recall_curve

    if not truth_negative.any():
        return None
    precision, recall, thresholds = precision_recall_curve(truth_negative, p_negative)
    # precision/recall have one more element than thresholds (the final point, recall 0).
    for p, r, t in zip(precision[:-1], recall[:-1], thresholds, strict=True):
        if p >= target:
            return {"threshold": float(t), "precision": float(p), "recall": float(r)}
    return None


def evaluate(
    labels: Sequence[str], predictions: Sequence[Prediction], *, target_precision: float = 0.9
) -> dict[str, Any]:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, roc_auc_score

    truth = list(labels)
    predicted = [p.label for p in predictions]
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(LABELS), zero_division=0
    )
    per_class = {
        label: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(LABELS)
    }
    is_negative = np.asarray([t == NEGATIVE for t in truth])
    scores = np.asarray([p.p_negative for p in predictions], dtype=np.float64)
    auc = float(roc_auc_score(is_negative, scores)) if 0 < is_negative.sum() < len(truth) else None
    accuracy = float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)])) if truth else 0.0
    return {
        "n": len(truth),
        "accuracy": accuracy,
        "per_class": per_class,
        "labels": list(LABELS),
        "confusion_matrix": confusion_matrix(truth, predicted, labels=list(LABELS)).tolist(),
        "roc_auc_negative": auc,
        "target_precision": target_precision,
        "threshold": threshold_for_precision(is_negative, scores, target_precision),
    }


def format_report(result: dict[str, Any]) -> str:
    lines = [f"examples: {result['n']}  accuracy: {result['accuracy']:.3f}", ""]
    lines.append(f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for label, m in result["per_class"].items():
        lines.append(
            f"{label:<10} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>8d}"
        )
    lines += ["", "confusion matrix (rows = true, columns = predicted)"]
    lines.append(" " * 10 + "".join(f"{label:>10}" for label in result["labels"]))
    for label, row in zip(result["labels"], result["confusion_matrix"], strict=True):
        lines.append(f"{label:<10}" + "".join(f"{v:>10d}" for v in row))
    auc = result["roc_auc_negative"]
    lines += ["", f"ROC-AUC of p_negative (negative vs rest): {'n/a' if auc is None else f'{auc:.3f}'}"]
    t = result["threshold"]
    if t is None:
        lines.append(f"no threshold reaches negative precision {result['target_precision']:.2f}")
    else:
        lines.append(
            f"p_negative >= {t['threshold']:.4f} reaches negative precision {t['precision']:.3f} "
            f"(target {result['target_precision']:.2f}) with recall {t['recall']:.3f}"
        )
    return "\n".join(lines)
