from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.spike import SpikeParams, WindowCounts, detect, windows

P = SpikeParams()


def test_windows_match_hour_of_day_and_weekday() -> None:
    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Shanghai
    spans = windows(now, P)
    assert len(spans) == 5 and spans[0] == (now - timedelta(hours=1), now)
    assert all((s.weekday(), s.hour) == (spans[0][0].weekday(), spans[0][0].hour) for s, _ in spans)


def test_negative_spike_against_a_quiet_baseline() -> None:
    spike = detect(WindowCounts(40, 24), [WindowCounts(8, 2)] * 4, P)
    assert spike is not None and spike.severity == "P1"
    assert "负面" in spike.reason and "12.0 倍" in spike.reason and "4 周" in spike.reason


def test_moderate_negative_spike_is_p2_and_volume_only_is_p3() -> None:
    p2 = detect(WindowCounts(30, 12), [WindowCounts(10, 3)] * 4, P)
    assert p2 is not None and p2.severity == "P2"
    p3 = detect(WindowCounts(60, 2), [WindowCounts(12, 1)] * 4, P)
    assert p3 is not None and p3.severity == "P3" and "声量突增" in p3.reason


def test_normal_busy_hour_is_no_spike() -> None:
    # A brand that always has 50 mentions at lunchtime is not spiking at 55.
    assert detect(WindowCounts(55, 12), [WindowCounts(50, 10)] * 4, P) is None
    assert detect(WindowCounts(9, 9), [], P) is None  # below min_count
