"""The PRC calendar per severity: a Friday-night P1, 国庆, and a year the package does not know."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from alerts.deadline import BusinessCalendar, respond_by
from alerts.holidays import (
    HolidayTable,
    HolidayYear,
    expand_days,
    missing_years,
    missing_years_warning,
    package_covers,
)
from alerts.incident_update import UpdateParams, deadline_for

CAL = BusinessCalendar(start=time(9, 0), end=time(18, 0), tz="Asia/Shanghai")


def _sh(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    """Asia/Shanghai wall time (UTC+8, no DST) as UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=8)


def test_friday_night_p1_is_due_the_same_night() -> None:
    params = UpdateParams(calendar=CAL)  # business hours for the rest, P1 24x7 by default
    opened = _sh(2026, 11, 27, 22, 0)  # Friday 22:00
    assert deadline_for(opened, "P1", params) == _sh(2026, 11, 28, 2, 0)
    # The same story as a P2 waits for Monday's working hours: 9:00 + 4 h.
    assert deadline_for(opened, "P2", params) == _sh(2026, 11, 30, 13, 0)


def test_p1_can_be_put_on_business_hours_explicitly() -> None:
    params = UpdateParams(calendar=None, calendars={"P1": CAL})
    assert deadline_for(_sh(2026, 11, 27, 22, 0), "P1", params) == _sh(2026, 11, 30, 13, 0)
    assert deadline_for(_sh(2026, 11, 27, 22, 0), "P3", params) == _sh(2026, 11, 28, 2, 0)


def test_guoqing_golden_week_is_skipped_and_the_makeup_saturday_counts() -> None:
    # 2026: 10-01..10-07 off; Saturday 10-10 is a make-up working day (调休), Sunday 09-20 too.
    opened = _sh(2026, 9, 30, 16, 0)  # Wednesday before the holiday, 2 h left that day
    assert respond_by(opened, 4, CAL) == _sh(2026, 10, 8, 11, 0)
    assert respond_by(_sh(2026, 10, 9, 17, 0), 4, CAL) == _sh(2026, 10, 10, 12, 0)


def test_year_missing_from_the_package_is_reported_and_falls_back_to_weekdays() -> None:
    assert package_covers(2026) and not package_covers(2027)
    assert missing_years(date(2026, 12, 2)) == [2027]
    assert missing_years(date(2025, 6, 1)) == []
    warning = missing_years_warning([2027])
    assert "2027" in warning and "holiday_years" in warning
    # 2027-01-01 (New Year) is unknown: counted as an ordinary Friday.
    assert respond_by(_sh(2027, 1, 1, 9, 0), 4, CAL) == _sh(2027, 1, 1, 13, 0)


def test_configured_year_fills_the_gap() -> None:
    year = HolidayYear(
        2027,
        holidays=expand_days(["2027-01-01", "2027-10-01..2027-10-07"]),
        workdays=expand_days(["2027-10-09"]),
    )
    table = HolidayTable((year,))
    cal = BusinessCalendar(holidays=table)
    assert missing_years(date(2026, 12, 2), table) == []
    assert missing_years(date(2027, 12, 2), table) == [2028]
    # New Year's Day off, then the weekend: Monday 2027-01-04.
    assert respond_by(_sh(2027, 1, 1, 9, 0), 4, cal) == _sh(2027, 1, 4, 13, 0)
    # Saturday 2027-10-09 is worked.
    assert respond_by(_sh(2027, 10, 9, 9, 0), 2, cal) == _sh(2027, 10, 9, 11, 0)
    # The package's own years are untouched by a table that only adds 2027.
    assert respond_by(_sh(2026, 10, 1, 9, 0), 1, cal) == _sh(2026, 10, 8, 10, 0)


@pytest.mark.parametrize("bad", ["2027-13-01", "2027-02-10..2027-02-01", "tomorrow"])
def test_bad_days_are_named(bad: str) -> None:
    with pytest.raises(ValueError, match=r"2027|tomorrow"):
        expand_days([bad])
