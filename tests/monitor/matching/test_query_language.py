"""The brand query language: a table of (query, text, expected) plus parse errors with positions."""

from __future__ import annotations

import pytest

from monitor.errors import ConfigError
from monitor.matching.folding import fold_for_match, fold_with_offsets
from monitor.matching.query_language import (
    And,
    Near,
    Not,
    Or,
    QueryError,
    Term,
    compile_query,
    parse_query,
)

BRAND = '(星河手机 OR "Xinghe Phone" OR 星河 NEAR/6 手机) NOT 星河湾'

MATCH_CASES = [
    # (query, text, expected)
    ("星河手机", "我刚买了星河手机", True),
    ("星河手机", "星河湾小区停电", False),
    # normalisation: traditional, full width, case, spaces between CJK characters
    ("星河手机", "星河手機真好用", True),
    ("星河手机", "星 河 手 机 又降价了", True),
    ("星河手机", "星河\n手机", True),
    ('"Xinghe Phone"', "ＸＩＮＧＨＥ　ＰＨＯＮＥ is great", True),
    ('"Xinghe Phone"', "xinghe   phone", True),
    ('"Xinghe Phone"', "XinghePhone", False),
    ("星河手機", "星河手机", True),  # folding applies to query terms too
    # ASCII terms need word boundaries; CJK terms do not
    ("oppo", "OPPO Find X", True),
    ("oppo", "the opposite view", False),
    ("oppo", "买了oppo手机", True),
    # AND, implicit AND, OR
    ("星河 AND 电池", "星河的电池鼓包", True),
    ("星河 电池", "星河的电池鼓包", True),
    ("星河 电池", "星河的屏幕", False),
    ("星河 OR 银河", "银河系", True),
    ("星河 OR 银河", "太阳系", False),
    # precedence: AND binds tighter than OR
    ("甲 OR 乙 丙", "甲", True),
    ("甲 OR 乙 丙", "乙", False),
    ("甲 OR 乙 丙", "乙丙", True),
    ("(甲 OR 乙) 丙", "甲", False),
    # NOT, and NOT binding tighter than AND
    ("星河 NOT 星河湾", "星河手机", True),
    ("星河 NOT 星河湾", "星河湾的星河手机广告", False),
    ("星河 NOT (湾 OR 系)", "星河系", False),
    ("星河 NOT NOT 手机", "星河手机", True),
    # NEAR counts the characters between the operands, on folded text
    ("星河 NEAR/6 手机", "星河的那个新款手机", True),  # 5 between
    ("星河 NEAR/6 手机", "星河的那个新款好手机", True),  # 6 between
    ("星河 NEAR/6 手机", "星河的那个新款的好手机", False),  # 7 between
    ("星河 NEAR/6 手机", "手机就买星河", True),  # order does not matter
    ("星河 NEAR/0 手机", "星河手机", True),
    ("星河 NEAR/2 手机", "星 河 的 新 手 机", True),  # spaces between CJK are dropped first
    # measured on folded text: NFKC turns each … into "...", so ……\n\n is 7 characters
    ("星河 NEAR/7 手机", "星河……\n\n手机", True),
    ("星河 NEAR/6 手机", "星河……\n\n手机", False),
    ("(星河 OR 银河) NEAR/2 手机", "银河新手机", True),
    ("星河 NEAR/2 手机 NEAR/2 电池", "星河新手机的电池", True),
    # NEAR binds tighter than AND: (星河 NEAR/1 手机) AND 电池
    ("星河 NEAR/1 手机 电池", "星河新手机，电池", True),
    ("星河 NEAR/1 手机 电池", "星河新手机", False),
    # the full brand query from the example config
    (BRAND, "我买了星河手机", True),
    (BRAND, "XINGHE PHONE 发布会", True),
    (BRAND, "星河的那个新款手机", True),
    (BRAND, "星河公司发布了一款非常好的手机", False),
    (BRAND, "星河湾的新款手机", False),
    (BRAND, "星 河 手 機 炸了", True),
    # lower-case words are terms, not operators; curly quotes and full-width parentheses work
    ("rock and roll", "rock and roll", True),
    ("“星河 手机”", "星河 手机", True),
    ("（星河 OR 银河）手机", "银河手机", True),
]


@pytest.mark.parametrize(("query", "text", "expected"), MATCH_CASES)
def test_query_matches(query: str, text: str, expected: bool) -> None:
    assert compile_query(query).matches(fold_for_match(text)) is expected


def test_precedence_not_near_and_or_in_ast() -> None:
    ast = parse_query("a OR b c NEAR/3 d NOT e")
    assert ast == Or(
        (
            Term("a", 0),
            And((Term("b", 5), Near(Term("c", 7), Term("d", 16), 3), Not(Term("e", 22), 18))),
        )
    )


def test_hits_are_spans_of_matching_terms_only() -> None:
    query = compile_query("星河 NEAR/2 手机 OR 银河")
    folded = fold_for_match("星河新手机，不是银河")
    assert query.hits(folded) == [(0, 2), (3, 5), (8, 10)]
    assert [folded[s:e] for s, e in query.hits(folded)] == ["星河", "手机", "银河"]


def test_hits_empty_when_no_match_and_negated_terms_not_highlighted() -> None:
    query = compile_query("星河 NOT 星河湾")
    assert query.hits(fold_for_match("星河湾")) == []
    assert query.hits(fold_for_match("星河手机")) == [(0, 2)]


def test_overlapping_terms_are_all_found() -> None:
    query = compile_query("星河 星河手机 手机")
    assert query.hits("星河手机") == [(0, 2), (0, 4), (2, 4)]


ERROR_CASES = [
    # (query, message fragment, position)
    ("", "empty query", 0),
    ("   ", "empty query", 3),
    ("(星河 OR 手机", "missing ')'", 9),
    ("星河 OR", "query ends where a term was expected", 5),
    ("星河 AND", "query ends where a term was expected", 6),
    ("星河 )", "unbalanced ')'", 3),
    ("星河 NEAR/x 手机", "NEAR needs a distance", 3),
    ("星河 NEAR 手机", "NEAR needs a distance", 3),
    ('"星河 手机', "unterminated quoted phrase", 0),
    ("()", "empty parentheses", 1),
    ('星河 ""', "empty phrase", 3),
    ("NOT 星河湾", "needs a term that must occur", 0),
    ("星河 OR NOT 湾", "needs a term that must occur", 0),
    ("星河 NEAR/3 NOT 手机", "NEAR operands cannot be negated", 3),
    ("OR 星河", "expected a term, got 'OR'", 0),
    ("星河 ”手机", "unmatched '”'", 3),
]


@pytest.mark.parametrize(("query", "fragment", "position"), ERROR_CASES)
def test_parse_errors_name_the_position(query: str, fragment: str, position: int) -> None:
    with pytest.raises(QueryError) as info:
        compile_query(query)
    assert fragment in info.value.reason
    assert info.value.position == position
    assert f"at position {position}" in str(info.value)
    assert isinstance(info.value, ConfigError)


def test_terms_are_folded_and_deduplicated() -> None:
    assert compile_query("星河手機 OR 星河手机 OR ＸＩＮＧＨＥ").terms == ("星河手机", "xinghe")


@pytest.mark.parametrize(
    "text",
    ["  星 河 手 機  ＸＩＮＧＨＥ　Phone\n\n好 ", "星河⑩手机", "a\u200bb  c", "", "   ", "Ａ 星", "星\t\t河"],
)
def test_fold_with_offsets_agrees_with_fold_for_match(text: str) -> None:
    folded, offsets = fold_with_offsets(text)
    assert folded == fold_for_match(text)
    assert len(offsets) == len(folded) + 1 and offsets[-1] == len(text)
    assert offsets[:-1] == sorted(offsets[:-1])


@pytest.mark.parametrize(
    ("query", "text", "highlighted"),
    [
        ("星河手机", "我买的 星 河 手 機 很好", ["星 河 手 機"]),
        ('"Xinghe Phone"', "新款ＸＩＮＧＨＥ　ＰＨＯＮＥ来了", ["ＸＩＮＧＨＥ　ＰＨＯＮＥ"]),
        ("星河 NEAR/3 电池", "  星河的电池鼓包", ["星河", "电池"]),
        ("星河 NOT 星河湾", "星河湾", []),
    ],
)
def test_highlight_maps_back_to_the_original_text(query: str, text: str, highlighted: list[str]) -> None:
    assert [text[s:e] for s, e in compile_query(query).highlight(text)] == highlighted


def test_random_queries_either_compile_or_raise_query_error() -> None:
    # Seeded fuzzing over the token alphabet: the parser must never fail with anything but QueryError
    # (which the config loader turns into one line) and positions must point inside the source.
    import random

    rng = random.Random(20261123)
    alphabet = [
        "星河",
        "手机",
        "OR",
        "AND",
        "NOT",
        "NEAR/3",
        "NEAR/",
        "(",
        ")",
        "（",
        "）",
        '"',
        "“",
        "”",
        " ",
        "x",
    ]
    compiled = 0
    for _ in range(3000):
        source = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12)))
        try:
            query = compile_query(source)
        except QueryError as exc:
            assert 0 <= exc.position <= len(source)
        else:
            compiled += 1
            query.matches(fold_for_match("星河的新手机x"))
    assert compiled > 100  # the generator is not producing only garbage


def test_random_texts_fold_consistently_with_offsets() -> None:
    import random

    rng = random.Random(7)
    alphabet = list("星河手機机ＡＢa b\t\n　①⑩，。…\u200bXYZ")
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 20)))
        folded, offsets = fold_with_offsets(text)
        assert folded == fold_for_match(text), repr(text)
        assert len(offsets) == len(folded) + 1


def _naive_find(terms: list[str], text: str) -> dict[str, list[tuple[int, int]]]:
    """Reference: every occurrence by plain scanning, with the same ASCII word-boundary rule."""

    def word(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    out: dict[str, list[tuple[int, int]]] = {}
    for term in dict.fromkeys(terms):
        for start in range(len(text) - len(term) + 1):
            end = start + len(term)
            if text[start:end] != term:
                continue
            if word(term[0]) and start > 0 and word(text[start - 1]):
                continue
            if word(term[-1]) and end < len(text) and word(text[end]):
                continue
            out.setdefault(term, []).append((start, end))
    return out


def test_term_index_agrees_with_naive_scanning() -> None:
    import random

    from monitor.matching.term_index import TermIndex

    rng = random.Random(99)
    vocabulary = ["星河", "星河手机", "手机", "河手", "ab", "abc", "b", "a b", "机机"]
    alphabet = [*"星河手机ab c", "星河手机"]
    for _ in range(500):
        terms = rng.sample(vocabulary, rng.randrange(1, len(vocabulary)))
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 25)))
        found = {k: sorted(v) for k, v in TermIndex(terms).find(text).items()}
        assert found == _naive_find(terms, text), (terms, text)


@pytest.mark.parametrize(
    ("query", "warnings"),
    [
        ("星河 or 手机", ["'or' at position 3 is a search term; write OR for the operator"]),
        ("星河 Not 星河湾", ["'Not' at position 3 is a search term; write NOT for the operator"]),
        ("星河 near/3 手机", ["'near/3' at position 3 is a search term; write NEAR/n for the operator"]),
        ("星河 OR 手机 NOT 湾", []),
        ('"rock and roll"', []),  # inside a phrase it is obviously text
    ],
)
def test_lower_case_operators_are_flagged(query: str, warnings: list[str]) -> None:
    from monitor.matching.query_language import query_warnings

    assert query_warnings(query) == warnings
