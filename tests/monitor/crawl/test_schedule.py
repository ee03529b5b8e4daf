from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.crawl import schedule
from monitor.crawl.schedule import ErrorState

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class _Fixed(random.Random):
    """uniform() returns its lower or upper bound, so the extremes of every jitter are tested exactly."""

    def __init__(self, at: str) -> None:
        super().__init__(0)
        self.at = at

    def uniform(self, a: float, b: float) -> float:
        return a if self.at == "low" else b


@pytest.mark.parametrize(
    ("interval_s", "at", "expected_s"),
    [
        (900, "low", 900),
        (900, "high", 960),  # jitter capped at 60 s
        (300, "high", 330),  # 10% of a short interval
        (60, "high", 66),
    ],
)
def test_success_schedules_one_interval_plus_small_jitter(
    interval_s: int, at: str, expected_s: float
) -> None:
    got = schedule.next_check_after_success(interval_s, NOW, _Fixed(at))
    assert got == NOW + timedelta(seconds=expected_s)


@pytest.mark.parametrize(
    ("errors", "interval_s", "expected_ceiling_s"),
    [
        (1, 900, 60),
        (2, 900, 120),
        (4, 900, 480),
        (7, 900, 3600),  # 60 * 64 = 3840 -> capped at 1 h
        (50, 900, 3600),
        (1, 30, 30),  # first retry never later than the interval when it is short
        (10, 30, 240),  # cap: 8 intervals
        (10, 7200, 7200),  # cap never below one interval
    ],
)
def test_backoff_doubles_and_is_capped(errors: int, interval_s: int, expected_ceiling_s: float) -> None:
    high = schedule.after_error(ErrorState(errors, interval_s), NOW, _Fixed("high"))
    assert high == NOW + timedelta(seconds=expected_ceiling_s)


def test_full_jitter_has_a_floor_so_a_broken_source_is_not_hammered() -> None:
    low = schedule.after_error(ErrorState(3, 900), NOW, _Fixed("low"))
    assert low == NOW + timedelta(seconds=schedule.MIN_RETRY_S)


def test_backoff_with_real_rng_stays_inside_bounds_and_moves_forward() -> None:
    rng = random.Random(42)
    for errors in range(1, 40):
        got = schedule.after_error(ErrorState(errors, 900), NOW, rng)
        assert NOW + timedelta(seconds=schedule.MIN_RETRY_S) <= got <= NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("retry_after_s", "interval_s", "expected_s"),
    [
        (None, 900, 900),
        (0, 900, 900),
        (120, 900, 900),  # asking for less than our own interval changes nothing
        (1800, 900, 1800),
        (7 * 86400, 900, 6 * 3600),  # a week is capped
        (7 * 86400, 86400, 86400),
    ],
)
def test_retry_after_is_honoured_within_bounds(
    retry_after_s: float | None, interval_s: int, expected_s: float
) -> None:
    got = schedule.after_retry_later(retry_after_s, interval_s, NOW)
    assert got == NOW + timedelta(seconds=expected_s)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (None, False),
        (timedelta(hours=23, minutes=59, seconds=59), False),
        (timedelta(hours=24), True),
        (timedelta(hours=24, seconds=1), True),
    ],
)
def test_disable_after_24_hours_of_failure(age: timedelta | None, expected: bool) -> None:
    first = None if age is None else NOW - age
    assert schedule.should_disable(first, NOW) is expected


@pytest.mark.parametrize(
    ("next_check_offset_s", "interval_s", "rebased"),
    [
        (0, 900, False),
        (-1800, 900, False),  # exactly two intervals late: still just due
        (-1801, 900, True),  # downtime
        (-30 * 86400, 900, True),
        (3600, 900, False),  # backoff distance is legitimate
        (6 * 3600 + 60, 900, False),  # longest Retry-After + jitter
        (6 * 3600 + 61, 900, True),  # clock jumped back
    ],
)
def test_no_catch_up_after_downtime_or_clock_jump(
    next_check_offset_s: int, interval_s: int, rebased: bool
) -> None:
    got = schedule.rebase_if_skewed(
        NOW + timedelta(seconds=next_check_offset_s), interval_s, NOW, random.Random(1)
    )
    assert (got is not None) is rebased
    if got is not None:
        assert NOW <= got <= NOW + timedelta(seconds=interval_s + schedule.SUCCESS_JITTER_MAX_S)


def test_overdue_sources_are_spread_not_fired_at_once() -> None:
    rng = random.Random(7)
    long_ago = NOW - timedelta(days=2)
    planned = [schedule.rebase_if_skewed(long_ago, 900, NOW, rng) for _ in range(200)]
    offsets = sorted((p - NOW).total_seconds() for p in planned if p is not None)
    assert len(offsets) == 200
    assert offsets[0] >= 0 and offsets[-1] <= 600
    assert offsets[-1] - offsets[0] > 300  # actually spread over the window
