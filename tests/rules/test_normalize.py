from __future__ import annotations

import random

import pytest

from rules.normalize import fold, fold_text


@pytest.mark.parametrize(
    ("original", "folded"),
    [
        ("頂級", "顶级"),
        ("國家級", "国家级"),
        ("手機", "手机"),
        ("ＮＯ．１", "no.1"),
        ("①", "1"),
        ("１２３", "123"),
        ("TOP1", "top1"),
        ("a \t\n b", "a b"),
        ("最\u200b佳", "最佳"),
        ("⑩倍", "10倍"),
        ("　全角空格", " 全角空格"),
        ("", ""),
    ],
)
def test_fold_text(original: str, folded: str) -> None:
    assert fold_text(original) == folded


@pytest.mark.parametrize(
    "original", ["頂級ＮＯ．１", "a  b\n\nc", "⑩倍①", "\u200b\u200b", "x\u200b", "  lead"]
)
def test_offsets_point_into_the_original(original: str) -> None:
    f = fold(original)
    offsets = f.offsets
    assert len(offsets) == len(f.text) + 1
    assert offsets[-1] == len(original)
    assert offsets == sorted(offsets)
    for i, ch in enumerate(f.text):
        assert fold_text(original[offsets[i]]) in (ch, " ", "") or ch in fold_text(original[offsets[i]])


def test_original_span_covers_expanded_characters() -> None:
    f = fold("第⑩名")
    assert f.text == "第10名"
    assert f.original_span(1, 2) == (1, 2)  # "1" of "10" comes from ⑩
    assert f.original_span(1, 3) == (1, 2)


def test_random_text_round_trips_spans() -> None:
    rng = random.Random(5)
    alphabet = "最佳頂級ＮＯ．１① \t\n\u200b第一abcXYZ　⑩，。"
    for _ in range(300):
        original = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        f = fold(original)
        for start in range(len(f.text)):
            for end in range(start + 1, len(f.text) + 1):
                s, e = f.original_span(start, end)
                assert 0 <= s < e <= len(original)


def test_shipped_fold_table_matches_a_fresh_build() -> None:
    import json

    from rules.normalize import _TABLE_PATH, build_fold_table

    shipped = json.loads(_TABLE_PATH.read_text(encoding="utf-8"))
    assert shipped == build_fold_table(), "run: python -m rules.gen_t2s_table --fold-only"


def test_fast_fold_equals_str_translate(monkeypatch: pytest.MonkeyPatch) -> None:
    from rules import normalize

    one, _, _ = normalize._tables()
    rng = random.Random(11)
    every_key = "".join(chr(k) for k in one)
    mixed = "".join(
        rng.choice(["頂級", "ＮＯ．１", "最 佳", "⑩", "\u200b", "😀", "abc", "第壹", "  "])
        for _ in range(400)
    )
    texts = [every_key, mixed, every_key[::-1] + mixed, "短文本"]
    monkeypatch.setattr(normalize, "_fast", None)
    slow = [normalize.fold(t) for t in texts]
    normalize.enable_fast_fold()
    assert normalize._fast is not None
    fast = [normalize.fold(t) for t in texts]
    assert [f.text for f in fast] == [f.text for f in slow]
    assert [f.offsets for f in fast] == [f.offsets for f in slow]
    assert normalize.fold(every_key).text != every_key  # the table really folded something


def test_fast_fold_falls_back_on_lone_surrogates(monkeypatch: pytest.MonkeyPatch) -> None:
    from rules import normalize

    monkeypatch.setattr(normalize, "_fast", None)
    normalize.enable_fast_fold()
    text = "頂級面料" * 20 + "\ud800"
    assert normalize.fold(text).text == "顶级面料" * 20 + "\ud800"


def test_identity_maps_take_the_shortcut_with_the_same_spans() -> None:
    from rules.normalize import SpanMap, identity_map

    same = identity_map(6)
    general = SpanMap([0, 3], [0, 3], 6, 6)  # the same mapping, written as two segments
    assert same.identity and not general.identity
    for start in range(8):
        for end in range(8):
            assert same.span(start, end) == general.span(start, end), (start, end)
    assert not SpanMap([0], [0], 7, 6).identity  # a deleted character at the end
