"""Fetch-latency histogram: fixed buckets and arithmetic shared by the daemon (writer) and /metrics (reader).

All daemons on one database accumulate a single histogram in the ``daemon_state`` row ``FETCH_LATENCY_KEY``:

    {"count": n, "sum_s": x, "last_s": y, "buckets": {"0.05": a, "0.1": b, ..., "+Inf": z}}

``buckets`` holds per-bucket counts (not cumulative) keyed by the bucket's upper bound, so a row written with
another bucket layout still folds into the current one; /metrics turns them into Prometheus' cumulative
``le`` buckets. Pure: no IO, no clock.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FETCH_LATENCY_KEY = "fetch_latency"

# Upper bounds in seconds, inclusive (Prometheus ``le``). HTTP fetches: tens of milliseconds on a good day,
# up to the 30 s default fetch deadline; +Inf catches anything slower.
BUCKETS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, math.inf)


@dataclass(frozen=True)
class LatencyHistogram:
    counts: tuple[int, ...] = (0,) * len(BUCKETS)  # per bucket, not cumulative, aligned with BUCKETS
    sum_s: float = 0.0
    last_s: float = 0.0

    @property
    def count(self) -> int:
        return sum(self.counts)

    def cumulative(self) -> list[tuple[float, int]]:
        """(upper bound, observations <= bound) per bucket, ending with (+Inf, count)."""
        return list(zip(BUCKETS, itertools.accumulate(self.counts), strict=True))


def le_label(bound: float) -> str:
    """The ``le`` label text of a bound (also the JSON key): ``0.05``, ``1.0``, ``+Inf``."""
    return "+Inf" if math.isinf(bound) else repr(float(bound))


def bucket_index(seconds: float) -> int:
    """Index of the first bucket whose bound is >= seconds: a value exactly on an edge is in that bucket."""
    return bisect.bisect_left(BUCKETS, seconds)


def observe(histogram: LatencyHistogram, durations: Sequence[float]) -> LatencyHistogram:
    """The histogram with ``durations`` added; the last one becomes ``last_s``."""
    if not durations:
        return histogram
    counts = list(histogram.counts)
    for seconds in durations:
        counts[bucket_index(seconds)] += 1
    return LatencyHistogram(tuple(counts), histogram.sum_s + float(sum(durations)), float(durations[-1]))


def from_state(value: Any) -> LatencyHistogram:
    """Read a stored row value (None or anything but a dict: no row yet, an empty histogram)."""
    data = value if isinstance(value, dict) else {}
    counts = [0] * len(BUCKETS)
    stored = data.get("buckets")
    for bound, n in stored.items() if isinstance(stored, dict) else ():
        # A bound from another layout goes into the first current bucket that contains it: still a true "<=".
        counts[bucket_index(float(bound))] += int(n)
    # Rows written before buckets existed have only "count" (and a daemon of that version rewrites the row
    # without "buckets" during a rolling upgrade): observations without bucket data are only known to be
    # <= +Inf, so they go there, which keeps the +Inf bucket equal to the count.
    counts[-1] += max(0, int(data.get("count", 0)) - sum(counts))
    return LatencyHistogram(tuple(counts), float(data.get("sum_s", 0.0)), float(data.get("last_s", 0.0)))


def to_state(histogram: LatencyHistogram) -> dict[str, Any]:
    """The JSON value stored in the row (``count`` kept for rows read by older versions)."""
    return {
        "count": histogram.count,
        "sum_s": histogram.sum_s,
        "last_s": histogram.last_s,
        "buckets": {le_label(b): n for b, n in zip(BUCKETS, histogram.counts, strict=True)},
    }
