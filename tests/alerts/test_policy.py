from __future__ import annotations

import pytest

from alerts.policy import MentionFacts, PolicyParams, assess, severity_for

P = PolicyParams()  # threshold .7, crisis reach 1k, reach tiers 100k/10k, velocity 20/5, p1 negativity .95


@pytest.mark.parametrize(
    ("facts", "velocity", "expected"),
    [
        (MentionFacts(0.69), 1, None),  # below threshold, no crisis terms
        (MentionFacts(0.70), 1, "P3"),  # at threshold
        (MentionFacts(None), 1, None),  # unscored
        (MentionFacts(0.2, ["召回"], followers=500), 1, None),  # crisis term but no reach
        (MentionFacts(0.2, ["召回"], followers=1_000), 1, "P2"),  # crisis term + reach
        (MentionFacts(0.8, followers=10_000), 1, "P2"),  # reach tier 2
        (MentionFacts(0.8, followers=50_000, likes=30_000, reposts=20_000), 1, "P1"),  # reach tier 1
        (MentionFacts(0.8), 5, "P2"),  # velocity tier 2
        (MentionFacts(0.8), 20, "P1"),  # velocity tier 1
        (MentionFacts(0.96), 5, "P1"),  # very negative and spreading
        (MentionFacts(0.96), 1, "P3"),  # very negative, alone
        (MentionFacts(0.8, ["曝光"], reposts=10_000), 1, "P1"),  # crisis + spreading
    ],
)
def test_assess(facts: MentionFacts, velocity: int, expected: str | None) -> None:
    result = assess(facts, P, velocity=velocity)
    assert result.alertable is (expected is not None)
    assert result.severity == expected
    if expected is not None:
        assert result.reasons


def test_per_brand_threshold_is_a_parameter() -> None:
    assert not assess(MentionFacts(0.75), PolicyParams(threshold=0.8)).alertable


def test_reach_ignores_unknown_counts() -> None:
    assert MentionFacts(0.5, followers=None, likes=3, reposts=None).reach == 3


def test_severity_never_lower_with_more_signals() -> None:
    base = severity_for(max_p_negative=0.8, reach=0, velocity=1, crisis_terms=[], params=P)
    more = severity_for(max_p_negative=0.8, reach=20_000, velocity=6, crisis_terms=["投诉"], params=P)
    assert (base, more) == ("P3", "P1")
