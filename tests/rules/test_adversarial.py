"""Inputs that once made a regex backtrack quadratically; each must finish well inside the timeout
(a quadratic regression takes minutes at this size)."""

from __future__ import annotations

import pytest

import rules


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "text",
    [
        "+ " * 100_000,
        "1 " * 100_000 + "a",
        "a@" * 100_000,
        "-" * 200_000,
        "最" * 200_000,
        "填写" * 50_000,
        "&nbsp;" * 30_000,
        "\u200b" * 100_000,
    ],
    ids=["plus-space", "digit-space", "at-signs", "dashes", "zui", "collect-verbs", "entities", "zero-width"],
)
def test_pathological_inputs_stay_linear(text: str) -> None:
    report = rules.check(text)
    for f in report.findings[:50]:
        assert text[f.start : f.end] == f.text
