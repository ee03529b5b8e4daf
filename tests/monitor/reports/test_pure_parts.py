"""The pure parts of a brief: windows in a zone, keywords, coverage arithmetic, the health formula."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.errors import UsageError
from monitor.reports.blind_time import blind_seconds, coverage_share
from monitor.reports.health import health_index
from monitor.reports.keywords import rising_terms
from monitor.reports.periods import brief_window

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_default_windows_are_the_last_complete_periods() -> None:
    day = brief_window("day", now=NOW, zone=SHANGHAI)
    assert day.days == (date(2026, 11, 30),) and day.previous_days == (date(2026, 11, 29),)
    month = brief_window("month", now=NOW, zone=SHANGHAI)
    assert month.days[0] == date(2026, 11, 1) and len(month.days) == 30
    assert month.previous_days[0] == date(2026, 10, 1) and len(month.previous_days) == 31
    march = brief_window("month", now=datetime(2026, 3, 5, tzinfo=UTC), zone=SHANGHAI)
    assert len(march.days) == 28  # February 2026


def test_local_midnight_is_the_day_boundary() -> None:
    window = brief_window("week", now=NOW, zone=SHANGHAI)
    assert window.start == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert len(window.bounds) == 15 and window.bounds[-1] == window.end


def test_a_day_with_a_dst_change_is_23_hours_long() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    window = brief_window("day", now=datetime(2026, 3, 30, 12, tzinfo=UTC), zone=berlin)
    assert window.days == (date(2026, 3, 29),)
    assert window.end - window.start == timedelta(hours=23)


def test_custom_ranges_and_bad_ones() -> None:
    window = brief_window("week", now=NOW, zone=SHANGHAI, since=date(2026, 11, 1), until=date(2026, 11, 11))
    assert len(window.days) == 10 and window.previous_days[0] == date(2026, 10, 22)
    with pytest.raises(UsageError, match="--until must be after --since"):
        brief_window("week", now=NOW, zone=SHANGHAI, since=date(2026, 11, 2), until=date(2026, 11, 1))
    with pytest.raises(UsageError, match="at most 92 days"):
        brief_window("day", now=NOW, zone=SHANGHAI, since=date(2026, 1, 1), until=date(2026, 12, 1))


def test_rising_terms_rank_by_excess_over_the_previous_rate() -> None:
    def cut(text: str) -> list[str]:
        return text.split()

    now = ["甲品牌 电池 起火"] * 4 + ["甲品牌 新品 发布"] * 4
    before = ["甲品牌 新品 发布"] * 8
    terms = {t.term: t for t in rising_terms(now, before, exclude=["甲品牌"], cut=cut)}
    assert terms["电池起火"].count == 4 and terms["电池起火"].excess == 4.0
    assert "新品" not in terms  # 4 now against 8 of 8 texts before: falling, not rising
    assert "甲品牌" not in terms and not any("甲品牌" in t for t in terms)
    assert rising_terms([], before, cut=cut) == []


def test_coverage_merges_overlaps_and_clips_to_the_window() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = start + timedelta(days=1)
    outages = [
        (1, "blocked", None, start - timedelta(hours=2), start + timedelta(hours=2)),  # 2 h inside
        (1, "failing", None, start + timedelta(hours=1), start + timedelta(hours=3)),  # +1 h
        (2, "throttled", None, start + timedelta(hours=20), None),  # open: until now
    ]
    blind = blind_seconds(outages, start, end, now=start + timedelta(hours=22))
    assert blind == {1: 3 * 3600, 2: 2 * 3600}
    assert coverage_share(2, blind, start, end) == pytest.approx(1 - 5 / 48)
    assert coverage_share(0, {}, start, end) is None


def test_health_formula() -> None:
    health = health_index(positive=6, negative=2, scored=10, in_time=3, due=4, share=0.2, top_share=0.4)
    assert (health.sentiment, health.response, health.voice) == (0.7, 0.75, 0.5)
    assert health.score == round(100 * (0.5 * 0.7 + 0.25 * 0.75 + 0.25 * 0.5))
    assert (
        health_index(positive=0, negative=0, scored=0, in_time=0, due=0, share=None, top_share=None).score
        == 75
    )
