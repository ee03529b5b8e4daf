"""Behaviour of the shipped model on inputs the issue names (bad input, and the label guideline)."""

from __future__ import annotations

import pytest

from models import Prediction, SentimentModel, load_model


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return load_model()


def test_empty_and_blank_lines_are_neutral_with_a_score(model: SentimentModel) -> None:
    assert model.predict(["", "   ", "\t"]) == [Prediction("neutral", 0.0)] * 3


def test_empty_batch(model: SentimentModel) -> None:
    assert model.predict([]) == []


@pytest.mark.parametrize(
    "text", ["The battery exploded and support ignored me", "ok", "12345", "😡😡😡", "¿qué?", "召回" * 2000]
)
def test_any_text_gets_a_valid_prediction(model: SentimentModel, text: str) -> None:
    [pred] = model.predict([text])
    assert pred.label in model.labels
    assert 0.0 <= pred.p_negative <= 1.0


def test_order_is_kept_and_batching_does_not_change_scores(model: SentimentModel) -> None:
    texts = ["极光咖啡的拿铁太难喝了", "极光咖啡今天开业", "极光咖啡的拿铁很好喝"] * 5
    together = model.predict(texts)
    alone = [model.predict([t])[0] for t in texts]
    assert [p.label for p in together] == [p.label for p in alone]
    assert [p.p_negative for p in together] == pytest.approx([p.p_negative for p in alone], abs=1e-12)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("蓝海手机宣布召回一批存在起火风险的充电器", "negative"),
        ("我要投诉蓝海手机，屏幕碎了售后不管", "negative"),
        ("蓝海手机的屏幕清晰，续航也很好，推荐购买", "positive"),
        ("蓝海手机将于下周三举行新品发布会", "neutral"),
    ],
)
def test_clear_cases_follow_the_labelling_guideline(model: SentimentModel, text: str, label: str) -> None:
    assert model.predict([text])[0].label == label
