"""Coverage of a brief's window from blind windows (``source_outages``): the share of (sources x time)
that was not inside an outage. Overlapping outages of one source count once; an open outage (no end)
lasts until ``now``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

Outage = tuple[int, str, "str | None", datetime, "datetime | None"]


def blind_seconds(
    outages: Sequence[Outage], start: datetime, end: datetime, now: datetime
) -> dict[int, float]:
    """Source id -> seconds of [start, end) inside the union of its outages."""
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for source_id, _state, _reason, began, ended in outages:
        lo, hi = max(began, start), min(ended or now, end)
        if hi > lo:
            spans[source_id].append((lo, hi))
    out: dict[int, float] = {}
    for source_id, items in spans.items():
        items.sort()
        total, cur_lo, cur_hi = 0.0, items[0][0], items[0][1]
        for lo, hi in items[1:]:
            if lo > cur_hi:
                total += (cur_hi - cur_lo).total_seconds()
                cur_lo, cur_hi = lo, hi
            else:
                cur_hi = max(cur_hi, hi)
        out[source_id] = total + (cur_hi - cur_lo).total_seconds()
    return out


def coverage_share(n_sources: int, blind: dict[int, float], start: datetime, end: datetime) -> float | None:
    """None when the brand has no crawled sources (only pushed mentions): coverage is then unknown."""
    span = (end - start).total_seconds()
    if n_sources == 0 or span <= 0:
        return None
    return 1.0 - sum(blind.values()) / (n_sources * span)
