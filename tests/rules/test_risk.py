from __future__ import annotations

import pytest

import rules


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("消费者投诉产品质量问题", ["投诉", "质量问题"]),
        ("投訴無門，集體維權", ["投诉", "维权"]),
        ("投 诉", ["投诉"]),
        ("新品上市，欢迎选购", []),
        ("食物中毒事件曝光", ["食物中毒", "中毒", "曝光"]),
        ("召回召回", ["召回"]),
    ],
)
def test_risk_terms(text: str, terms: list[str]) -> None:
    assert rules.risk_terms(text) == terms
