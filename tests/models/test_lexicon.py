from __future__ import annotations

import pytest

from models.lexicon import lexicon_features
from models.text import prepare


@pytest.mark.parametrize(
    ("text", "must_have", "must_not_have"),
    [
        ("这个手机一点也不差", "l:neg~", "l:neg"),
        ("用了三年，从没让我失望", "l:neg~", "l:neg"),
        ("质量太差了", "l:neg", "l:neg~"),
        ("真的很满意", "l:pos", "l:pos~"),
        ("一点都不满意", "l:pos~", "l:pos"),
        ("请问支持快充吗？", "l:q", None),
        ("有没有旅行装", "l:q", None),
    ],
)
def test_negation_scope_and_question_cue(text: str, must_have: str, must_not_have: str | None) -> None:
    feats = lexicon_features(prepare(text))
    assert must_have in feats
    if must_not_have is not None:
        assert must_not_have not in feats


def test_plain_statement_has_no_question_cue() -> None:
    assert "l:q" not in lexicon_features(prepare("星河手机发布新品"))


def test_aho_corasick_path_equals_the_reference_definition() -> None:
    from collections import Counter

    from models.datasets import read_labelled
    from models.lexicon import lexicon_features_reference
    from tests.models.conftest import BRAND_MENTIONS

    texts = [prepare(e.text) for e in read_labelled(BRAND_MENTIONS)] + ["一点都不满意，差差", "", "不不不"]
    for text in texts:
        assert Counter(lexicon_features(text)) == Counter(lexicon_features_reference(text)), text


def test_every_negator_contains_a_one_character_negator() -> None:
    from models.lexicon import _NEGATOR_CHARS, NEGATORS

    assert all(any(ch in _NEGATOR_CHARS for ch in neg) for neg in NEGATORS)
