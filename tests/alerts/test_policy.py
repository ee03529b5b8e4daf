"""Alertable or not, and the tier of a new incident (``alerts.policy`` + ``alerts.incident_update``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.incident_update import UpdateParams, open_incident
from alerts.policy import MentionFacts, PolicyParams, is_alertable, severity_for

P = PolicyParams()  # threshold .7, crisis reach 1k, reach tiers 100k/10k, velocity 20/5, p1 negativity .95
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _decide(
    facts: MentionFacts, params: PolicyParams, velocity: int = 1
) -> tuple[str | None, tuple[str, ...]]:
    """What intake decides for a mention with no open incident: (tier of the new incident, reasons)."""
    alertable, reasons = is_alertable(facts, params)
    if not alertable:
        return None, reasons
    update = open_incident(
        facts, mention_id=1, velocity=velocity, params=UpdateParams(policy=params), now=NOW
    )
    return update.aggregate.severity, reasons


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
def test_new_incident_tier(facts: MentionFacts, velocity: int, expected: str | None) -> None:
    severity, reasons = _decide(facts, P, velocity)
    assert severity == expected
    assert bool(reasons) is (expected is not None)


def test_per_brand_threshold_is_a_parameter() -> None:
    assert _decide(MentionFacts(0.75), PolicyParams(threshold=0.8)) == (None, ())


def test_reach_ignores_unknown_counts() -> None:
    assert MentionFacts(0.5, followers=None, likes=3, reposts=None).reach == 3


def test_severity_never_lower_with_more_signals() -> None:
    base = severity_for(max_p_negative=0.8, reach=0, velocity=1, crisis_terms=[], params=P)
    more = severity_for(max_p_negative=0.8, reach=20_000, velocity=6, crisis_terms=["投诉"], params=P)
    assert (base, more) == ("P3", "P1")
