"""Runs every case in tests/rules/cases/*.toml (text + expected findings) through rules.check."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

import rules

CASE_DIR = Path(__file__).with_name("cases")


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(CASE_DIR.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            cases.append((f"{path.stem}:{case['id']}", case))
    return cases


CASES = load_cases()


def test_case_ids_are_unique_and_plentiful() -> None:
    ids = [case_id for case_id, _ in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150


def _param(case_id: str, case: dict[str, Any]) -> Any:
    if case.get("known_miss"):
        known_miss = pytest.mark.xfail(strict=True, reason="known miss")
        return pytest.param(case_id, case, id=case_id, marks=known_miss)
    return pytest.param(case_id, case, id=case_id)


@pytest.mark.parametrize(("case_id", "case"), [_param(*c) for c in CASES])
def test_case(case_id: str, case: dict[str, Any]) -> None:
    text = case["text"]
    report = rules.check(text)
    for f in report.findings:
        assert text[f.start : f.end] == f.text, f"{case_id}: span does not point into the original"
    expected = {(e["rule_id"], e["text"], e["severity"]) for e in case["expect"]}
    got = {(f.rule_id, f.text, f.severity) for f in report.findings if f.severity != "info"}
    assert got == {e for e in expected if e[2] != "info"}, case["description"]
    got_all = {(f.rule_id, f.text, f.severity) for f in report.findings}
    assert {e for e in expected if e[2] == "info"} <= got_all, case["description"]
