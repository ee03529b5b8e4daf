"""The response-deadline clock: respond_by, and the reminder/escalation/breach events around it.

Pure: ``opened_at`` and ``now`` are parameters (tz-aware UTC). The business-hours calendar counts only
working time on PRC working days; ``chinese_calendar.is_workday`` knows statutory holidays (国庆, 春节 ...)
and the make-up working days (调休) that fall on weekends.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alerts.holidays import EMPTY, HolidayTable, package_is_workday

REMINDER_PREFIX = "reminder:-"
ESCALATION = "escalation"
BREACH = "breach"


@dataclass(frozen=True)
class BusinessCalendar:
    start: time = time(9, 0)
    end: time = time(18, 0)
    tz: str = "Asia/Shanghai"
    # Years the configuration adds (alerts.holidays); the package's data for the others.
    holidays: HolidayTable = EMPTY


def is_workday(day: date, table: HolidayTable = EMPTY) -> bool:
    return table.is_workday(day) if table.years else package_is_workday(day)


def _add_business_time(start_utc: datetime, duration: timedelta, cal: BusinessCalendar) -> datetime:
    tz = ZoneInfo(cal.tz)
    local = start_utc.astimezone(tz)
    remaining = duration
    day = local.date()
    cursor = local
    # Bounded loop: even a 30-day budget across Golden Week ends within a few dozen iterations.
    for _ in range(3660):
        if is_workday(day, cal.holidays):
            open_at = datetime.combine(day, cal.start, tz)
            close_at = datetime.combine(day, cal.end, tz)
            begin = max(cursor, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(UTC)
                remaining -= available
        day = day + timedelta(days=1)
        cursor = datetime.combine(day, time(0, 0), tz)
    raise ValueError("no working time found within ten years")


def respond_by(opened_at: datetime, hours: float, calendar: BusinessCalendar | None = None) -> datetime:
    """opened_at + ``hours``; with a calendar, ``hours`` of working time."""
    if opened_at.tzinfo is None:
        raise ValueError("opened_at must be timezone-aware")
    duration = timedelta(hours=hours)
    if calendar is None:
        return opened_at.astimezone(UTC) + duration
    return _add_business_time(opened_at.astimezone(UTC), duration, calendar)


def reminder_kind(offset_minutes: int) -> str:
    return f"{REMINDER_PREFIX}{offset_minutes}"


def is_reminder(kind: str) -> bool:
    return kind.startswith(REMINDER_PREFIX)


def plan_events(
    *,
    opened_at: datetime,
    deadline: datetime,
    reminder_offsets_minutes: Sequence[int],
    escalate_after_minutes: int | None,
) -> list[tuple[str, datetime]]:
    """(kind, due_at) for every clock event of one incident.

    Reminders that would fall at or before the opening are left out: a T-2h reminder for an incident
    with a 1 h deadline would only be noise on top of the "opened" message.
    """
    events: list[tuple[str, datetime]] = []
    for offset in sorted(set(reminder_offsets_minutes), reverse=True):
        due = deadline - timedelta(minutes=offset)
        if due > opened_at:
            events.append((reminder_kind(offset), due))
    if escalate_after_minutes is not None:
        events.append((ESCALATION, opened_at + timedelta(minutes=escalate_after_minutes)))
    events.append((BREACH, deadline))
    return events


def replan(plan: Sequence[tuple[str, datetime]], fired_kinds: Collection[str]) -> list[tuple[str, datetime]]:
    """The events to store when a deadline moves: ``plan`` for the new deadline minus the kinds that
    already fired. A reminder already sent is not sent again just because the deadline came closer."""
    return [(kind, due) for kind, due in plan if kind not in fired_kinds]


@dataclass(frozen=True)
class PendingEvent:
    id: int
    kind: str
    due_at: datetime


# Incident states in which the clock is still running for each event kind.
_REMINDER_STATES = frozenset({"open", "acknowledged"})
_ESCALATION_STATES = frozenset({"open"})
_BREACH_STATES = frozenset({"open", "acknowledged"})


def plan_tick(events: Sequence[PendingEvent], *, state: str, now: datetime) -> list[tuple[int, bool]]:
    """Decide, for an incident's unfired events, which fire now: ``[(event_id, send)]``.

    Only events with ``due_at <= now`` are returned. ``send=False`` means mark it fired-but-skipped:
    the incident no longer needs it (acknowledged before escalation, responded before the deadline), or
    it is a stale reminder after downtime - of several overdue reminders only the latest goes out, and
    none once the breach itself is due.
    """
    due = sorted((e for e in events if e.due_at <= now), key=lambda e: e.due_at)
    if not due:
        return []
    breach_due = any(e.kind == BREACH for e in due)
    reminders = [e for e in due if is_reminder(e.kind)]
    latest_reminder = reminders[-1].id if reminders else None
    plan: list[tuple[int, bool]] = []
    for event in due:
        if is_reminder(event.kind):
            send = state in _REMINDER_STATES and not breach_due and event.id == latest_reminder
        elif event.kind == ESCALATION:
            send = state in _ESCALATION_STATES
        elif event.kind == BREACH:
            send = state in _BREACH_STATES
        else:
            send = False
        plan.append((event.id, send))
    return plan


def time_left(deadline: datetime, now: datetime) -> timedelta:
    return deadline - now


def format_time_left(delta: timedelta) -> str:
    """Chinese short form: 剩余 3小时59分 / 已超时 1分."""
    seconds = int(delta.total_seconds())
    prefix = "剩余" if seconds >= 0 else "已超时"
    seconds = abs(seconds)
    hours, rem = divmod(seconds, 3600)
    minutes = rem // 60
    if hours:
        return f"{prefix} {hours}小时{minutes}分"
    return f"{prefix} {minutes}分"
