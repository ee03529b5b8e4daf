from __future__ import annotations

import pytest

from models.text import MAX_CHARS, prepare


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("  \t\n ", ""),
        ("ＡＢＣ１２３", "abc123"),
        ("a  \t b", "a b"),
        ("Great Phone", "great phone"),
        ("星河手机！", "星河手机!"),
    ],
)
def test_prepare(raw: str, expected: str) -> None:
    assert prepare(raw) == expected


def test_long_text_is_cut_at_the_documented_limit() -> None:
    assert len(prepare("差" * (MAX_CHARS * 5))) == MAX_CHARS
    assert prepare("好" * MAX_CHARS + "差") == "好" * MAX_CHARS
