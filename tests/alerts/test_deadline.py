from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from alerts.deadline import (
    BREACH,
    ESCALATION,
    BusinessCalendar,
    PendingEvent,
    format_time_left,
    plan_events,
    plan_tick,
    respond_by,
)

OPENED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CAL = BusinessCalendar(start=time(9, 0), end=time(18, 0), tz="Asia/Shanghai")


def _sh(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    """Asia/Shanghai wall time (UTC+8, no DST) as UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=8)


def test_default_deadline_is_four_hours_24x7() -> None:
    assert respond_by(OPENED, 4) == OPENED + timedelta(hours=4)


def test_naive_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        respond_by(datetime(2026, 1, 1), 4)


@pytest.mark.parametrize(
    ("elapsed", "breach_fires"),
    [
        (timedelta(hours=3, minutes=59), False),
        (timedelta(hours=4), True),
        (timedelta(hours=4, minutes=1), True),
    ],
    ids=["3:59", "4:00", "4:01"],
)
def test_breach_boundary(elapsed: timedelta, breach_fires: bool) -> None:
    deadline = respond_by(OPENED, 4)
    events = [
        PendingEvent(i, kind, due)
        for i, (kind, due) in enumerate(
            plan_events(
                opened_at=OPENED, deadline=deadline, reminder_offsets_minutes=[], escalate_after_minutes=None
            )
        )
    ]
    plan = plan_tick(events, state="open", now=OPENED + elapsed)
    assert (plan == [(0, True)]) is breach_fires
    assert plan == ([(0, True)] if breach_fires else [])


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=1), "剩余 1分"),
        (timedelta(0), "剩余 0分"),
        (timedelta(minutes=-1), "已超时 1分"),
        (timedelta(hours=3, minutes=59), "剩余 3小时59分"),
    ],
)
def test_format_time_left(delta: timedelta, text: str) -> None:
    assert format_time_left(delta) == text


@pytest.mark.parametrize(
    ("opened", "hours", "expected", "why"),
    [
        (_sh(2026, 11, 23, 10), 4, _sh(2026, 11, 23, 14), "inside one working day"),
        (_sh(2026, 11, 23, 16), 4, _sh(2026, 11, 24, 11), "spills into the next morning"),
        (_sh(2026, 11, 23, 20), 4, _sh(2026, 11, 24, 13), "opened after hours: clock starts at 09:00"),
        (_sh(2026, 11, 27, 17), 4, _sh(2026, 11, 30, 12), "Friday evening -> Monday"),
        # 国庆 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are make-up working days (调休)
        (_sh(2025, 9, 30, 16), 4, _sh(2025, 10, 9, 11), "across the National Day holiday"),
        (_sh(2025, 9, 27, 10), 4, _sh(2025, 9, 28, 13), "Saturday 09-27 off, Sunday 09-28 is a make-up day"),
        (_sh(2025, 10, 10, 17), 4, _sh(2025, 10, 11, 12), "Saturday 10-11 is a make-up working day"),
    ],
)
def test_business_calendar(opened: datetime, hours: float, expected: datetime, why: str) -> None:
    assert respond_by(opened, hours, CAL) == expected, why


def test_plan_events_skips_reminders_before_opening() -> None:
    deadline = OPENED + timedelta(hours=1)
    kinds = [
        k
        for k, _ in plan_events(
            opened_at=OPENED,
            deadline=deadline,
            reminder_offsets_minutes=[120, 60, 30],
            escalate_after_minutes=15,
        )
    ]
    assert kinds == ["reminder:-30", ESCALATION, BREACH]


def _events() -> list[PendingEvent]:
    deadline = OPENED + timedelta(hours=4)
    planned = plan_events(
        opened_at=OPENED, deadline=deadline, reminder_offsets_minutes=[120, 60, 30], escalate_after_minutes=30
    )
    return [PendingEvent(i, kind, due) for i, (kind, due) in enumerate(planned)]


def test_after_downtime_only_latest_reminder_is_sent() -> None:
    # Down from T+1h to T+3h45m: T-2h, T-1h and T-30m... only T-30m (3h30) is sent, the older two skipped.
    plan = dict(plan_tick(_events(), state="acknowledged", now=OPENED + timedelta(hours=3, minutes=45)))
    kinds = {e.id: e.kind for e in _events()}
    sent = sorted(kinds[i] for i, send in plan.items() if send)
    skipped = sorted(kinds[i] for i, send in plan.items() if not send)
    assert sent == ["reminder:-30"]
    assert skipped == [ESCALATION, "reminder:-120", "reminder:-60"]  # acknowledged: no escalation


def test_no_reminders_once_breach_is_due() -> None:
    plan = dict(plan_tick(_events(), state="open", now=OPENED + timedelta(hours=5)))
    kinds = {e.id: e.kind for e in _events()}
    assert sorted(kinds[i] for i, send in plan.items() if send) == [BREACH, ESCALATION]


@pytest.mark.parametrize("state", ["responded", "resolved", "dismissed"])
def test_answered_incidents_need_no_clock(state: str) -> None:
    plan = plan_tick(_events(), state=state, now=OPENED + timedelta(hours=5))
    assert plan and not any(send for _, send in plan)


def test_nothing_due_before_first_event() -> None:
    assert plan_tick(_events(), state="open", now=OPENED + timedelta(minutes=29)) == []
