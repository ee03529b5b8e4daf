from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from alerts.oncall import Person, Shift, on_call, parse_hours

DAY = Person("白班")
NIGHT = Person("夜班")
HOLIDAY = Person("假日值班")
ROTA = (
    Shift(DAY, days="workdays", start=time(9, 0), end=time(18, 0)),
    Shift(NIGHT, days="workdays", start=time(18, 0), end=time(9, 0)),
    Shift(HOLIDAY, days="offdays"),
)


def _sh(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=8)


def test_working_day_shifts() -> None:
    assert on_call(ROTA, _sh(2026, 11, 27, 10)) == [DAY]  # Friday 10:00
    assert on_call(ROTA, _sh(2026, 11, 27, 22)) == [NIGHT]  # Friday 22:00


def test_friday_night_shift_runs_into_saturday_morning() -> None:
    # Saturday 03:00 belongs to Friday's night shift, and Saturday is a day off as well.
    assert on_call(ROTA, _sh(2026, 11, 28, 3)) == [NIGHT, HOLIDAY]
    assert on_call(ROTA, _sh(2026, 11, 28, 12)) == [HOLIDAY]


def test_guoqing_is_a_day_off_and_the_makeup_saturday_a_working_day() -> None:
    assert on_call(ROTA, _sh(2026, 10, 2, 10)) == [HOLIDAY]  # Friday in Golden Week
    assert on_call(ROTA, _sh(2026, 10, 10, 10)) == [DAY]  # Saturday worked (调休)


def test_parse_hours() -> None:
    assert parse_hours("09:00-18:00") == (time(9), time(18))
    assert parse_hours("00:00-24:00") == (time(0), None)
