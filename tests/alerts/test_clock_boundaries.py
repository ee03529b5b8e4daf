"""The golden four hours at the minute: respond_by, reminders, escalation and breach at 3:59 / 4:00 / 4:01.

Drives the same pure functions the deadline tick uses (``open_incident`` plans the clock,
``plan_tick`` decides what fires), with the default configuration: 4 h for every tier, reminders
2 h / 1 h / 30 min before the deadline, escalation 30 min after opening when nobody acknowledged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.deadline import BREACH, ESCALATION, PendingEvent, format_time_left, plan_tick
from alerts.incident_update import UpdateParams, open_incident
from alerts.policy import MentionFacts

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _events() -> tuple[datetime, list[PendingEvent]]:
    update = open_incident(MentionFacts(0.9), mention_id=1, velocity=1, params=UpdateParams(), now=T0)
    events = [PendingEvent(i, kind, due) for i, (kind, due) in enumerate(update.clock)]
    return update.aggregate.respond_by, events


def _fires(at: timedelta, state: str = "open") -> dict[str, bool]:
    """kind -> sends, for the events due at T0 + ``at``."""
    _, events = _events()
    kinds = {e.id: e.kind for e in events}
    return {kinds[event_id]: send for event_id, send in plan_tick(events, state=state, now=T0 + at)}


def test_respond_by_is_four_hours() -> None:
    respond_by, _ = _events()
    assert respond_by == T0 + timedelta(hours=4)


@pytest.mark.parametrize(
    ("at", "text"),
    [
        (timedelta(hours=3, minutes=59), "剩余 1分"),
        (timedelta(hours=4), "剩余 0分"),
        (timedelta(hours=4, minutes=1), "已超时 1分"),
    ],
    ids=["3:59", "4:00", "4:01"],
)
def test_time_left(at: timedelta, text: str) -> None:
    respond_by, _ = _events()
    assert format_time_left(respond_by - (T0 + at)) == text


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 3:59: the breach is not due; of the three overdue reminders only the latest (T-30) goes out.
        (
            timedelta(hours=3, minutes=59),
            {"reminder:-120": False, "reminder:-60": False, "reminder:-30": True, ESCALATION: True},
        ),
        # 4:00 and 4:01: the breach fires; reminders are stale next to it and are skipped.
        (
            timedelta(hours=4),
            {
                "reminder:-120": False,
                "reminder:-60": False,
                "reminder:-30": False,
                ESCALATION: True,
                BREACH: True,
            },
        ),
        (
            timedelta(hours=4, minutes=1),
            {
                "reminder:-120": False,
                "reminder:-60": False,
                "reminder:-30": False,
                ESCALATION: True,
                BREACH: True,
            },
        ),
    ],
    ids=["3:59", "4:00", "4:01"],
)
def test_what_fires_around_the_deadline(at: timedelta, expected: dict[str, bool]) -> None:
    assert _fires(at) == expected


@pytest.mark.parametrize(
    ("at", "kind", "due"),
    [
        (timedelta(minutes=29), ESCALATION, False),
        (timedelta(minutes=30), ESCALATION, True),
        (timedelta(hours=1, minutes=59), "reminder:-120", False),
        (timedelta(hours=2), "reminder:-120", True),
        (timedelta(hours=2, minutes=59), "reminder:-60", False),
        (timedelta(hours=3), "reminder:-60", True),
        (timedelta(hours=3, minutes=29), "reminder:-30", False),
        (timedelta(hours=3, minutes=30), "reminder:-30", True),
    ],
)
def test_each_event_is_due_at_its_minute(at: timedelta, kind: str, due: bool) -> None:
    assert (kind in _fires(at)) is due


@pytest.mark.parametrize(
    ("state", "escalation", "breach"),
    [
        ("open", True, True),
        ("acknowledged", False, True),
        ("responded", False, False),
        ("resolved", False, False),
    ],
)
def test_answering_stops_the_clock(state: str, escalation: bool, breach: bool) -> None:
    fires = _fires(timedelta(hours=4), state=state)
    assert (fires[ESCALATION], fires[BREACH]) == (escalation, breach)
