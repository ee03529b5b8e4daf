"""Coverage arithmetic at window boundaries, with injected time (no clock reads)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.platforms.coverage import Gap, brand_share, covered_share, describe, gaps, hourly, merge

T = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 14:00 Beijing
H = timedelta(hours=1)
M = timedelta(minutes=1)


def test_outage_exactly_at_the_window_edges() -> None:
    # [start, end) half-open: an outage ending at the window start or starting at its end costs nothing.
    assert covered_share([(T - H, T)], T, T + H, T + 2 * H) == 1.0
    assert covered_share([(T + H, T + 2 * H)], T, T + H, T + 2 * H) == 1.0
    assert covered_share([(T, T + H)], T, T + H, T + 2 * H) == 0.0


@pytest.mark.parametrize(
    ("outage", "share"),
    [
        ((T - M, T + M), 59 / 60),  # one minute inside the window
        ((T + 59 * M, T + H + M), 59 / 60),
        ((T + 30 * M, T + 30 * M), 1.0),  # empty period
        ((T - H, T + 2 * H), 0.0),  # covers the whole window
    ],
)
def test_one_minute_either_side_of_a_boundary(outage: tuple[datetime, datetime], share: float) -> None:
    assert covered_share([outage], T, T + H, T + 3 * H) == pytest.approx(share)


def test_open_outage_runs_until_now_and_not_beyond() -> None:
    # Window 14:00-16:00, now 15:00, outage open since 14:30: half of the elapsed hour is blind.
    assert covered_share([(T + 30 * M, None)], T, T + 2 * H, T + H) == pytest.approx(0.5)
    assert covered_share([(T + 30 * M, None)], T, T + 2 * H, T + 30 * M) == 1.0  # nothing elapsed since


def test_overlapping_and_touching_periods_are_not_counted_twice() -> None:
    periods = [(T, T + 20 * M), (T + 10 * M, T + 30 * M), (T + 30 * M, T + 40 * M)]
    assert merge(periods, T, T + H, T + H) == [(T, T + 40 * M)]
    assert covered_share(periods, T, T + H, T + H) == pytest.approx(20 / 60)


def test_brand_share_is_sources_times_time() -> None:
    outages = {1: [(T, T + H)], 2: []}
    assert brand_share(outages, [1, 2], T, T + H, T + H) == pytest.approx(0.5)
    # A source created half-way only counts from then on.
    assert brand_share({1: [], 2: []}, [1, 2], T, T + H, T + H, created={2: T + 30 * M}) == 1.0
    assert brand_share({}, [], T, T + H, T + H) == 0.0  # no source: nothing watched


def test_hourly_buckets_follow_the_clock_hour() -> None:
    outages = {1: [(T + 90 * M, T + 150 * M)]}  # 15:30-16:30 Beijing
    rows = hourly(outages, [1], T, T + 3 * H, T + 3 * H)
    assert [r.start for r in rows] == [T, T + H, T + 2 * H]
    assert [round(r.share, 3) for r in rows] == [1.0, 0.5, 0.5]
    # A window starting mid-hour keeps the partial first bucket; buckets stop at now.
    rows = hourly(outages, [1], T + 45 * M, T + 5 * H, T + 2 * H)
    assert [r.start for r in rows] == [T, T + H]
    assert rows[0].share == 1.0


def test_gaps_and_their_message_text() -> None:
    found = gaps({"微博": [(T, T + 150 * M)], "小红书": [(T + H, None)]}, T - H, T + 6 * H, T + 3 * H)
    assert found == [Gap("微博", T, T + 150 * M, False), Gap("小红书", T + H, T + 3 * H, True)]
    assert describe(found[0]) == "微博 未覆盖 14:00–16:30"
    assert describe(found[1]) == "小红书 未覆盖 15:00–至今"
