"""A line break is a hard boundary: a two-line draft reports exactly what each line reports on its own.

Property over the one-line drafts of tests/rules/cases/*.toml: for a pair of lines (a, b), the findings of
``a + sep + b`` are the findings of ``a`` plus those of ``b`` shifted by ``len(a + sep)``. Document-level
rules (PIPL: a collection in one line may be satisfied by a consent sentence in the other) are
whole-draft by design and left out. So are lines ending in 最 or 第, the one place where a break is read
as a wrapped word (see rules/compact.py); no complete line ends there.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import rules
from rules.checker import default_engine

CASE_DIR = Path(__file__).with_name("cases")
_LINE_LOCAL = {r.id for r in default_engine().rules if r.kind != "document"}
SEPARATORS = ("\n", "\r\n", "\n\n", "\u2029", "\t")
# Each line is paired with the next few lines (both orders): ~2,000 pairs, a second to run.
NEIGHBOURS = 4


def _one_line_drafts() -> list[str]:
    texts: list[str] = []
    for path in sorted(CASE_DIR.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            text = case["text"]
            if text and not any(c in text for c in "\n\r\t\u2028\u2029") and text[-1] not in "最第":
                texts.append(text)
    return texts


LINES = _one_line_drafts()


def _local(text: str, shift: int = 0) -> set[tuple[str, str, int, int]]:
    return {
        (f.rule_id, f.severity, f.start + shift, f.end + shift)
        for f in rules.check(text).findings
        if f.rule_id in _LINE_LOCAL
    }


def _pairs() -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(LINES):
        for k in range(1, NEIGHBOURS + 1):
            b = LINES[(i + k) % len(LINES)]
            pairs.append((a, b))
    return pairs


def test_corpus_is_large_enough() -> None:
    assert len(LINES) >= 250


@pytest.mark.parametrize("sep", SEPARATORS, ids=repr)
def test_two_lines_report_the_union_of_each_line(sep: str) -> None:
    alone = {text: _local(text) for text in LINES}
    broken = []
    for a, b in _pairs():
        draft = a + sep + b
        shift = len(a) + len(sep)
        expected = alone[a] | {(r, s, st + shift, e + shift) for r, s, st, e in alone[b]}
        got = _local(draft)
        if got != expected:
            broken.append((draft, sorted(expected - got), sorted(got - expected)))
    assert not broken, f"{len(broken)} two-line drafts differ, e.g. {broken[:3]}"


@pytest.mark.parametrize(
    ("draft", "texts"),
    [
        ("全网最低\n12月发货", ["最低"]),
        ("销量第一\n排名第一", ["销量第一", "排名第一"]),
        ("| 销量第一 | 排名第一 |", ["销量第一", "排名第一"]),
        ("|销量第一|排名第一|", ["销量第一", "排名第一"]),
        ("- 全网最低\n- 12月发货", ["最低"]),
        ("全网最低\r\n\r\n12月发货", ["最低"]),
    ],
)
def test_issue_examples(draft: str, texts: list[str]) -> None:
    findings = rules.check(draft).findings
    assert sorted(f.text for f in findings if f.severity == "error") == sorted(texts)
    for f in findings:
        assert draft[f.start : f.end] == f.text


def test_a_wrapped_word_is_still_one_word() -> None:
    found = [f.text for f in rules.check("性能最\n强的一代").findings]
    assert found == ["最\n强"]


def test_a_bar_inside_a_word_is_still_an_evasion() -> None:
    assert [f.text for f in rules.check("市场最|佳选择").findings] == ["最|佳"]
