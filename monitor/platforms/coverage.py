"""Coverage arithmetic: outages + a window -> the share that was watched, hour by hour, and the gaps.

Pure (``now`` is a parameter; an open outage runs until ``now``). Periods are half-open ``[start, end)``
so an outage ending at 15:00 and one starting at 15:00 leave no covered instant between them, and an
hour bucket 14:00-15:00 does not count 15:00 itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

Period = tuple[datetime, datetime | None]  # (started_at, ended_at or None = still open)


@dataclass(frozen=True)
class HourCoverage:
    start: datetime
    share: float  # 0.0 .. 1.0 of (sources x time) watched in this hour


@dataclass(frozen=True)
class Gap:
    """A merged not-covered period of one source (or platform) clipped to the window."""

    label: str
    start: datetime
    end: datetime
    open: bool  # still not covered at ``now``


def merge(
    periods: Iterable[Period], start: datetime, end: datetime, now: datetime
) -> list[tuple[datetime, datetime]]:
    """Periods clipped to ``[start, min(end, now))`` and merged where they touch or overlap."""
    stop = min(end, now)
    clipped = sorted(
        (max(s, start), min(e if e is not None else now, stop))
        for s, e in periods
        if s < stop and (e is None or e > start)
    )
    merged: list[tuple[datetime, datetime]] = []
    for s, e in clipped:
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def covered_share(periods: Iterable[Period], start: datetime, end: datetime, now: datetime) -> float:
    """Share of ``[start, end)`` (up to ``now``) not inside an outage; 1.0 for an empty window."""
    stop = min(end, now)
    total = (stop - start).total_seconds()
    if total <= 0:
        return 1.0
    blind = sum((e - s).total_seconds() for s, e in merge(periods, start, end, now))
    return max(0.0, 1.0 - blind / total)


def brand_share(
    outages: Mapping[int, Sequence[Period]],
    source_ids: Sequence[int],
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    created: Mapping[int, datetime] | None = None,
) -> float:
    """Share of (sources x time) watched; a source counts only from when it existed (none existed: 0.0)."""
    watched = 0.0
    total = 0.0
    stop = min(end, now)
    for sid in source_ids:
        begin = max(start, (created or {}).get(sid, start))
        length = (stop - begin).total_seconds()
        if length <= 0:
            continue
        blind = sum((e - s).total_seconds() for s, e in merge(outages.get(sid, ()), begin, stop, now))
        watched += length - blind
        total += length
    if total <= 0:
        return 0.0  # no source existed in the window: nothing was watched
    return watched / total


def hourly(
    outages: Mapping[int, Sequence[Period]],
    source_ids: Sequence[int],
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    created: Mapping[int, datetime] | None = None,
) -> list[HourCoverage]:
    """One bucket per hour from ``start`` (floored to the hour) until ``min(end, now)``."""
    bucket = start.replace(minute=0, second=0, microsecond=0)
    out: list[HourCoverage] = []
    stop = min(end, now)
    while bucket < stop:
        nxt = bucket + timedelta(hours=1)
        share = brand_share(outages, source_ids, max(bucket, start), min(nxt, stop), now, created=created)
        out.append(HourCoverage(bucket, share))
        bucket = nxt
    return out


def gaps(
    labelled: Mapping[str, Sequence[Period]], start: datetime, end: datetime, now: datetime
) -> list[Gap]:
    """Merged gaps per label (a platform's sources pooled: 微博 is blind when its searches are)."""
    out: list[Gap] = []
    stop = min(end, now)
    for label, periods in labelled.items():
        for s, e in merge(periods, start, end, now):
            still_open = e >= stop and any(p_end is None for _, p_end in periods)
            out.append(Gap(label, s, e, still_open))
    out.sort(key=lambda g: (g.start, g.label))
    return out


def describe(gap: Gap, tz: str = "Asia/Shanghai") -> str:
    """``微博 未覆盖 14:00–16:30`` (``至今`` while it is still blind); times in the display zone."""
    zone = ZoneInfo(tz)
    begin = gap.start.astimezone(zone).strftime("%H:%M")
    finish = "至今" if gap.open else gap.end.astimezone(zone).strftime("%H:%M")
    return f"{gap.label} 未覆盖 {begin}–{finish}"
