"""The incident update without a database: sums, "severity only rises", deadline shortening, re-notify."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alerts.deadline import BREACH, ESCALATION, replan
from alerts.incident_update import (
    IncidentAggregate,
    Notify,
    UpdateParams,
    deadline_for,
    open_incident,
    update_incident,
)
from alerts.policy import MentionFacts

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
HOURS = UpdateParams(respond_by_hours={"P1": 1.0, "P2": 4.0, "P3": 8.0})


def _opened(facts: MentionFacts, params: UpdateParams = HOURS, velocity: int = 1) -> IncidentAggregate:
    return open_incident(facts, mention_id=1, velocity=velocity, params=params, now=T0).aggregate


def _attach(
    current: IncidentAggregate,
    facts: MentionFacts,
    *,
    alertable: bool = True,
    velocity: int = 1,
    mention_id: int = 2,
    params: UpdateParams = HOURS,
) -> tuple[IncidentAggregate, Notify | None, bool]:
    update = update_incident(
        current, facts, mention_id=mention_id, alertable=alertable, velocity=velocity, params=params
    )
    return update.aggregate, update.notify, bool(update.clock)


def test_open_sets_tier_deadline_clock_and_opened_message() -> None:
    update = open_incident(
        MentionFacts(0.9, ["曝光"], followers=500), mention_id=7, velocity=1, params=HOURS, now=T0
    )
    a = update.aggregate
    assert (a.severity, a.highest_notified_severity, a.respond_by) == ("P2", "P2", T0 + timedelta(hours=4))
    assert (a.mention_count, a.negative_count, a.reach, a.top_mention_id, a.top_reach) == (1, 1, 500, 7, 500)
    assert a.crisis_terms == ("曝光",) and a.max_p_negative == 0.9
    assert update.notify == Notify("opened", "opened") and update.previous_severity is None
    kinds = [kind for kind, _ in update.clock]
    assert kinds == ["reminder:-120", "reminder:-60", "reminder:-30", ESCALATION, BREACH]
    assert dict(update.clock)[BREACH] == a.respond_by


def test_unscored_mention_opens_with_zero_negativity() -> None:
    assert _opened(MentionFacts(None, ["召回"], followers=2_000)).max_p_negative == 0.0


def test_sums_max_and_terms_accumulate() -> None:
    current = _opened(MentionFacts(0.8, ["投诉"], likes=10))
    after, _, _ = _attach(current, MentionFacts(0.75, ["投诉", "曝光"], reposts=5), alertable=True)
    assert (after.mention_count, after.negative_count, after.reach) == (2, 2, 15)
    assert after.max_p_negative == 0.8 and after.crisis_terms == ("投诉", "曝光")
    quiet, _, _ = _attach(after, MentionFacts(0.1, likes=1), alertable=False, mention_id=3)
    assert (quiet.mention_count, quiet.negative_count, quiet.reach) == (3, 2, 16)


def test_severity_only_rises() -> None:
    p1 = _opened(MentionFacts(0.8, followers=200_000))
    assert p1.severity == "P1"
    calm, notify, moved = _attach(p1, MentionFacts(0.1), alertable=False)
    assert calm.severity == "P1" and notify is None and not moved


def test_rise_renotifies_once_per_tier() -> None:
    current = _opened(MentionFacts(0.8))
    assert current.severity == "P3"
    p2, notify, _ = _attach(current, MentionFacts(0.8), velocity=5)
    assert p2.severity == "P2" and notify == Notify("upgraded", "upgraded-P2")
    again, notify, _ = _attach(p2, MentionFacts(0.8), velocity=6, mention_id=3)
    assert again.severity == "P2" and notify is None  # a flood of reposts at the same tier is silent
    p1, notify, _ = _attach(again, MentionFacts(0.8), velocity=20, mention_id=4)
    assert p1.highest_notified_severity == "P1" and notify == Notify("upgraded", "upgraded-P1")


def test_rise_shortens_the_deadline_from_the_opening() -> None:
    current = _opened(MentionFacts(0.8))
    assert current.respond_by == T0 + timedelta(hours=8)  # P3
    update = update_incident(
        current, MentionFacts(0.8, followers=200_000), mention_id=2, alertable=True, velocity=1, params=HOURS
    )
    assert update.severity_changed and update.aggregate.severity == "P1"
    assert update.aggregate.respond_by == T0 + timedelta(hours=1)  # P1: one hour after the opening
    assert dict(update.clock)[BREACH] == T0 + timedelta(hours=1)


def test_rise_never_extends_the_deadline() -> None:
    # P3 with a shorter deadline than P2: rising to P2 keeps the earlier deadline.
    params = UpdateParams(respond_by_hours={"P1": 1.0, "P2": 4.0, "P3": 2.0})
    current = _opened(MentionFacts(0.8), params)
    update = update_incident(
        current, MentionFacts(0.8), mention_id=2, alertable=True, velocity=5, params=params
    )
    assert update.aggregate.severity == "P2" and update.aggregate.respond_by == T0 + timedelta(hours=2)
    assert update.clock == ()  # deadline unchanged: the stored clock stays


def test_top_mention_is_the_loudest_alertable_one() -> None:
    current = _opened(MentionFacts(0.8, followers=100))
    louder_neutral, _, _ = _attach(current, MentionFacts(0.1, followers=5_000), alertable=False)
    assert louder_neutral.top_mention_id == 1
    louder, _, _ = _attach(current, MentionFacts(0.9, followers=5_000), mention_id=9)
    assert (louder.top_mention_id, louder.top_reach) == (9, 5_000)
    quieter, _, _ = _attach(louder, MentionFacts(0.9, followers=10), mention_id=10)
    assert quieter.top_mention_id == 9


def test_incident_without_top_mention_keeps_none() -> None:
    current = replace(_opened(MentionFacts(0.8)), top_mention_id=None, top_reach=0)
    after, _, _ = _attach(current, MentionFacts(0.9, followers=5_000))
    assert after.top_mention_id is None


def test_replan_keeps_fired_events_fired() -> None:
    update = update_incident(
        _opened(MentionFacts(0.8)),
        MentionFacts(0.8, followers=200_000),
        mention_id=2,
        alertable=True,
        velocity=1,
        params=HOURS,
    )
    kinds = [k for k, _ in replan(update.clock, {ESCALATION})]
    # P1 deadline T0+1h: reminders at T-2h and T-1h would fall before the opening and are left out.
    assert kinds == ["reminder:-30", BREACH]


@pytest.mark.parametrize(
    ("severity", "hours"),
    [("P1", 1.0), ("P2", 4.0), ("P3", 8.0), ("P9", 4.0)],
    ids=["P1", "P2", "P3", "unknown"],
)
def test_deadline_for_tier(severity: str, hours: float) -> None:
    assert deadline_for(T0, severity, HOURS) == T0 + timedelta(hours=hours)
