from __future__ import annotations

import pytest

from rules.pii import find_bank_cards, find_emails, find_id_numbers, find_mobiles, luhn_valid, valid_id_number


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("110105199003071239", True),
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105199003071238", False),  # checksum
        ("110105194902301234", False),  # 30 February
        ("110105188001011239", False),  # before 1900
        ("11010519900307123", False),  # 17 digits
    ],
)
def test_valid_id_number(number: str, valid: bool) -> None:
    assert valid_id_number(number) is valid


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("6222021234567894", True),
        ("6222021234567895", False),
        ("79927398713", True),
    ],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


def test_finders_return_spans() -> None:
    text = "a 13812345678 b 6222021234567894 c 110105199003071239 d x@y.cn"
    assert [text[s:e] for s, e in find_mobiles(text)] == ["13812345678"]
    assert [text[s:e] for s, e in find_bank_cards(text)] == ["6222021234567894"]
    assert [text[s:e] for s, e in find_id_numbers(text)] == ["110105199003071239"]
    assert [text[s:e] for s, e in find_emails(text)] == ["x@y.cn"]
