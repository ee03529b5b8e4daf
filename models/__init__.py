"""Sentiment scoring for brand mentions.

Public API::

    from models import load_model
    model = load_model()                       # the shipped artifact in models/artifact/
    model.predict(["星河手机被曝电池自燃"])      # [Prediction(label='negative', p_negative=0.9995)]

``load_model(path: Path | None = None, *, tokenizer="auto") -> SentimentModel``;
``SentimentModel.predict(texts: Sequence[str]) -> list[Prediction]`` with
``Prediction(label: "negative"|"neutral"|"positive", p_negative: float)``; ``predict_proba`` gives all
three calibrated probabilities. Training and evaluation live in ``models.training`` and
``models.evaluation`` (they import scikit-learn; inference never does).

Importing this package must stay cheap: no scikit-learn, no jieba, no numpy at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.loading import load_model
    from models.predictor import Prediction, SentimentModel

__all__ = ["Prediction", "SentimentModel", "load_model"]

_LAZY = {
    "load_model": "models.loading",
    "Prediction": "models.predictor",
    "SentimentModel": "models.predictor",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'models' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
