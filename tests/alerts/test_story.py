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
    assert best_match("云帆X7自燃事件，大家怎么看", [], candidates, **kw) is None  # type: ignore[arg-type]
    assert best_match("新车发布", ["自燃"], candidates, **kw) is None  # type: ignore[arg-type]
