"""Brand-level spikes: a brand's mention volume (and negative volume) in the last window against its
own seasonal baseline, the same window at the same hour of day and day of week in past weeks.

One story's velocity is ``alerts.policy``'s business; this sees the brand as a whole, where 30 small
stories each below the velocity bar can still be a crisis. Pure: the counts come from the edge (SQL
GROUP BY), ``now`` is a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean


@dataclass(frozen=True)
class SpikeParams:
    window: timedelta = timedelta(minutes=60)
    baseline_weeks: int = 4
    min_count: int = 10  # fewer mentions than this in the window are never a spike
    ratio: float = 3.0  # total volume at least this many times the baseline mean
    negative_ratio: float = 3.0  # negative volume at least this many times its baseline mean


@dataclass(frozen=True)
class WindowCounts:
    total: int
    negative: int


@dataclass(frozen=True)
class Spike:
    severity: str
    reason: str  # Chinese, shown in cards and on the board
    total: int
    negative: int
    baseline_total: float
    baseline_negative: float


def windows(now: datetime, params: SpikeParams) -> list[tuple[datetime, datetime]]:
    """The current window first, then the same window 1..N weeks back (hour of day and weekday match)."""
    start = now - params.window
    return [(start - timedelta(weeks=w), now - timedelta(weeks=w)) for w in range(params.baseline_weeks + 1)]


def _times(current: int, base: float) -> float:
    # A brand that was silent at this hour has a baseline of 0: compare with one mention, not divide by 0.
    return current / max(base, 1.0)


def detect(current: WindowCounts, baseline: Sequence[WindowCounts], params: SpikeParams) -> Spike | None:
    """A spike, its tier and the reason in words, or None.

    Tiers: a negative-volume spike is P2, and P1 when it is twice the bar (both ratio and count); a
    spike of total volume alone (much talk, not much of it negative yet) is P3 - worth a look, not a
    night call.
    """
    base_total = mean(b.total for b in baseline) if baseline else 0.0
    base_negative = mean(b.negative for b in baseline) if baseline else 0.0
    weeks = len(baseline)
    negative_times = _times(current.negative, base_negative)
    total_times = _times(current.total, base_total)
    if current.negative >= params.min_count and negative_times >= params.negative_ratio:
        p1 = current.negative >= 2 * params.min_count and negative_times >= 2 * params.negative_ratio
        reason = (
            f"品牌负面声量突增：{_minutes(params)}内 {current.negative} 条负面，"
            f"是过去 {weeks} 周同时段均值 {base_negative:.1f} 的 {negative_times:.1f} 倍"
        )
        return Spike("P1" if p1 else "P2", reason, current.total, current.negative, base_total, base_negative)
    if current.total >= params.min_count and total_times >= params.ratio:
        reason = (
            f"品牌声量突增：{_minutes(params)}内 {current.total} 条提及，"
            f"是过去 {weeks} 周同时段均值 {base_total:.1f} 的 {total_times:.1f} 倍"
        )
        return Spike("P3", reason, current.total, current.negative, base_total, base_negative)
    return None


def _minutes(params: SpikeParams) -> str:
    minutes = int(params.window.total_seconds() // 60)
    return f"{minutes // 60} 小时" if minutes % 60 == 0 else f"{minutes} 分钟"
