"""The PRC working-day table: chinese-calendar's data plus the years the configuration adds.

chinese-calendar only knows the years the State Council has published (1.11 stops at 2026); the
schedule for the next year appears in November or December and the package follows weeks later. A
team can add a year from the published notice (holidays and the weekend make-up days, 调休) in
``brandguard.toml``; ``missing_years`` says loudly when the current or next year has no data at all,
because then deadlines silently fall back to a plain Monday-Friday week. Pure: ``today`` is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import chinese_calendar


@dataclass(frozen=True)
class HolidayYear:
    """One year from the State Council notice: days off and the weekend days that are worked."""

    year: int
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)


@dataclass(frozen=True)
class HolidayTable:
    """Configured years; a configured year replaces the package's data for that year entirely."""

    years: tuple[HolidayYear, ...] = ()

    def year(self, year: int) -> HolidayYear | None:
        return next((y for y in self.years if y.year == year), None)

    def is_workday(self, day: date) -> bool:
        configured = self.year(day.year)
        if configured is not None:
            if day in configured.workdays:
                return True
            if day in configured.holidays:
                return False
            return day.weekday() < 5
        return package_is_workday(day)

    def covers(self, year: int) -> bool:
        return self.year(year) is not None or package_covers(year)


EMPTY = HolidayTable()


@lru_cache(maxsize=4096)
def package_is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # Beyond the package's data the best guess is the ordinary Monday-Friday week rather than
        # stopping the clock entirely; ``missing_years`` is what makes this guess visible.
        return day.weekday() < 5


@lru_cache(maxsize=64)
def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def missing_years(today: date, table: HolidayTable = EMPTY) -> list[int]:
    """The current and next year when neither the package nor the configuration has data for them."""
    return [y for y in (today.year, today.year + 1) if not table.covers(y)]


def missing_years_warning(years: Sequence[int]) -> str:
    listed = ", ".join(str(y) for y in years)
    return (
        f"no PRC holiday data for {listed}: business-hour deadlines fall back to Monday-Friday; "
        "add the State Council schedule as [[alerts.holiday_years]] in brandguard.toml "
        "or upgrade chinese-calendar"
    )


def expand_days(items: Iterable[str]) -> frozenset[date]:
    """ISO days and inclusive ranges ``2027-02-06..2027-02-13``; ValueError names the bad item."""
    days: set[date] = set()
    for item in items:
        first, sep, last = item.partition("..")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if sep else start
        except ValueError:
            raise ValueError(f"expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, got {item!r}") from None
        if end < start:
            raise ValueError(f"range {item!r} ends before it starts")
        days.update(date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1))
    return frozenset(days)
