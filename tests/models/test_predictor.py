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


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("蓝海耳机用了两年，一点都不拉胯，真香[赞]", "positive"),
        ("避雷蓝海耳机！戴一周就断连，售后踢皮球[怒]", "negative"),
        ("我的用了三年一点事没有[赞]//@网友甲:蓝海耳机是不是又翻车了？", "positive"),
        ("转发微博//@财经快讯:蓝海耳机因违规收集个人信息被立案调查", "negative"),
        ("#蓝海耳机翻车# 实测完全没问题，音质yyds", "positive"),
        ("蓝海耳机的“降噪旗舰”，地铁上啥都听得见[微笑]", "negative"),
        ("蓝海耳机 noise cancelling is amazing, love it", "positive"),
        ("求问蓝海耳机新款什么时候开售？", "neutral"),
    ],
)
def test_social_posts_follow_the_labelling_guideline(model: SentimentModel, text: str, label: str) -> None:
    # Written for this test (not in the data set), with a brand name the training data never uses.
    assert model.predict([text])[0].label == label
