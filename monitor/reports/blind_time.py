"""A brief's coverage from blind windows (``source_outages``): the share of (sources x time) that was not
inside an outage. The interval arithmetic is the platforms wing's (``monitor.platforms.coverage.merge``:
overlapping outages of one source count once, an open outage lasts until ``now``); this module only
sums it per source and over a brand's sources."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from monitor.platforms.coverage import Period, merge

Outage = tuple[int, str, "str | None", datetime, "datetime | None"]


def blind_seconds(
    outages: Sequence[Outage], start: datetime, end: datetime, now: datetime
) -> dict[int, float]:
    """Source id -> seconds of [start, end) inside the union of its outages (sources never blind: absent)."""
    periods: dict[int, list[Period]] = defaultdict(list)
    for source_id, _state, _reason, began, ended in outages:
        periods[source_id].append((began, ended))
    out: dict[int, float] = {}
    for source_id, spans in periods.items():
        total = sum((hi - lo).total_seconds() for lo, hi in merge(spans, start, end, now))
        if total > 0:
            out[source_id] = total
    return out


def coverage_share(n_sources: int, blind: dict[int, float], start: datetime, end: datetime) -> float | None:
    """None when the brand has no crawled sources (only pushed mentions): coverage is then unknown."""
    span = (end - start).total_seconds()
    if n_sources == 0 or span <= 0:
        return None
    return 1.0 - sum(blind.values()) / (n_sources * span)
