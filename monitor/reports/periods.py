"""Briefing windows in the display zone: which local days a day/week/month brief covers, the period
before it, and the UTC instants of every local midnight in between (the SQL day buckets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.errors import UsageError

PERIODS = ("day", "week", "month")
MAX_DAYS = 92  # a quarter: beyond that the day-by-day charts stop being readable


@dataclass(frozen=True)
class Window:
    period: str
    zone: ZoneInfo
    days: tuple[date, ...]  # local days of the brief
    previous_days: tuple[date, ...]  # local days of the period before, same kind

    @property
    def bounds(self) -> list[datetime]:
        """UTC instants of local midnights from the previous period's start to this period's end."""
        all_days = [*self.previous_days, *self.days]
        return [midnight(d, self.zone) for d in all_days] + [
            midnight(self.days[-1] + timedelta(days=1), self.zone)
        ]

    @property
    def start(self) -> datetime:
        return midnight(self.days[0], self.zone)

    @property
    def end(self) -> datetime:
        return midnight(self.days[-1] + timedelta(days=1), self.zone)

    @property
    def previous_start(self) -> datetime:
        return midnight(self.previous_days[0], self.zone)

    @property
    def label(self) -> str:
        first, last = self.days[0], self.days[-1]
        return first.isoformat() if first == last else f"{first.isoformat()} ~ {last.isoformat()}"


def midnight(day: date, zone: ZoneInfo) -> datetime:
    # Local midnight, then UTC: Asia/Shanghai 2026-11-23 00:00 is 2026-11-22 16:00 UTC.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _span(start: date, end: date) -> tuple[date, ...]:
    return tuple(start + timedelta(days=i) for i in range((end - start).days))


def _period_start(period: str, day: date) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _next_start(period: str, start: date) -> date:
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _previous_start(period: str, start: date) -> date:
    if period == "month":
        return (start - timedelta(days=1)).replace(day=1)
    return start - (timedelta(days=7) if period == "week" else timedelta(days=1))


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option}: expected a local date YYYY-MM-DD (got {value!r})") from None


def brief_window(
    period: str, *, now: datetime, zone: ZoneInfo, since: date | None = None, until: date | None = None
) -> Window:
    """The brief's days. Without dates: the last complete period (yesterday, last Monday-Sunday, last
    month). ``since`` picks the period that starts on or contains that day; ``until`` (exclusive) ends a
    custom range started by ``since``, or alone picks the period containing the day before it."""
    if period not in PERIODS:
        raise UsageError(f"--period: expected day, week or month (got {period!r})")
    if since is not None and until is not None:
        if until <= since:
            raise UsageError("--until must be after --since")
        days = _span(since, until)
        if len(days) > MAX_DAYS:
            raise UsageError(f"--since/--until: at most {MAX_DAYS} days (got {len(days)})")
        previous = _span(since - timedelta(days=len(days)), since)
        return Window(period, zone, days, previous)
    if since is not None:
        start = _period_start(period, since)
    elif until is not None:
        start = _period_start(period, until - timedelta(days=1))
    else:
        start = _previous_start(period, _period_start(period, now.astimezone(zone).date()))
    end = _next_start(period, start)
    before = _previous_start(period, start)
    return Window(period, zone, _span(start, end), _span(before, start))
