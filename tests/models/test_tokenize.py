from __future__ import annotations

import pytest

from models.datasets import read_labelled
from models.text import prepare
from models.tokenize import best_cutter, jieba_cutter, rjieba_cutter
from tests.models.conftest import BRAND_MENTIONS

MORE = [
    "iPhone15和星河手机X1哪个好？",
    "2026年11月23日，价格¥1,999元",
    "ＡＢＣ全角字母",
    "  多个   空格  ",
    "!!!???",
]


def test_rjieba_tokens_equal_jieba_hmm_off_on_our_sentences() -> None:
    fast = rjieba_cutter()
    if fast is None:
        pytest.skip("rjieba is not installed (optional fast path)")
    reference = jieba_cutter()
    texts = [e.text for e in read_labelled(BRAND_MENTIONS)] + MORE
    assert len(texts) >= 600
    for raw in texts:
        for text in (raw, prepare(raw)):
            assert fast(text) == reference(text), text


def test_best_cutter_can_be_forced_to_reference() -> None:
    name, cut = best_cutter(prefer_fast=False)
    assert name == "jieba"
    assert cut("一点也不差") == ["一点", "也", "不", "差"]
