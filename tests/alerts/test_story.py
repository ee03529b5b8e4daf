from __future__ import annotations

import pytest

from alerts.story import best_match, similarity


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("【突发】云帆汽车X7充电时自燃", "转发：云帆X7充电时起火", 0.6, 1.0),
        ("星巴克门店被曝使用过期食材", "//@网友:星巴克门店被曝使用过期食材，太过分了", 0.99, 1.0),
        ("云帆X7自燃事件", "云帆汽车新款发布会定档下月", 0.0, 0.2),
        ("好", "好", 0.0, 0.0),  # too short to judge
    ],
)
def test_similarity(a: str, b: str, low: float, high: float) -> None:
    assert low <= similarity(a, b, brand="云帆汽车") <= high


def test_shared_crisis_term_lowers_the_bar() -> None:
    candidates = [(1, ["自燃"], ["【突发】云帆汽车X7充电时自燃"]), (2, ["投诉"], ["云帆客服态度差"])]
    kw = {"brand": "云帆汽车", "min_similarity": 0.6, "min_similarity_with_terms": 0.3}
    assert best_match("云帆X7自燃事件，大家怎么看", ["自燃"], candidates, **kw) == 1  # type: ignore[arg-type]
    # Without the term the wording alone is too far, but the event facts (X7, fire) still link it.
    assert best_match("云帆X7自燃事件，大家怎么看", [], candidates, **kw) == 1  # type: ignore[arg-type]
    assert best_match("云帆汽车新款发布会定档下月", [], candidates, **kw) is None  # type: ignore[arg-type]
    assert best_match("新车发布", ["自燃"], candidates, **kw) is None  # type: ignore[arg-type]


def test_same_event_in_other_words_is_one_story() -> None:
    from alerts.story import same_story

    assert same_story("洁净洗衣机起火，家中阳台被烧毁", "洁净洗衣机自燃，业主称正在脱水", brand="洁净")
    assert same_story("云帆S3因制动系统缺陷被召回", "市场监管总局：云帆汽车回收部分S3车型", brand="云帆")


def test_different_events_of_one_brand_stay_apart_despite_a_shared_template() -> None:
    from alerts.story import same_story

    assert not same_story("【突发】云帆S3召回", "【突发】云帆用户数据泄露", brand="云帆")
    assert not same_story("云帆X7在上海地库起火", "杭州一充电站云帆X7充电时起火", brand="云帆")  # city
    assert not same_story("极光P9电池起火", "极光P7自燃", brand="极光")  # model


def test_labelled_pair_set_meets_the_target() -> None:
    """The 300+ pair set in bench/data (see bench/story_linking.py for the figures)."""
    import json
    from pathlib import Path

    from alerts.story import same_story

    path = Path(__file__).parents[2] / "bench" / "data" / "story_pairs.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 300
    predicted = [same_story(r["a"], r["b"], brand=r["brand"]) for r in rows]
    tp = sum(p and r["same"] for p, r in zip(predicted, rows, strict=True))
    precision = tp / max(1, sum(predicted))
    recall = tp / sum(r["same"] for r in rows)
    assert precision >= 0.9 and recall >= 0.9


def test_best_match_skips_an_incident_about_another_event() -> None:
    candidates = [(1, ["召回"], ["云帆S3召回"]), (2, ["泄露"], ["云帆用户数据泄露"])]
    kw = {"brand": "云帆", "min_similarity": 0.6, "min_similarity_with_terms": 0.3}
    assert best_match("【突发】云帆车主信息外泄", ["泄露"], candidates, **kw) == 2  # type: ignore[arg-type]
    assert best_match("云帆S3回收", [], candidates, **kw) == 1  # type: ignore[arg-type]
