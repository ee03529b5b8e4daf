"""Each source's coverage state and recent coverage, and each brand's: what ``sources list``, the console's
sources view and /metrics show. Reads through ``outages_repo``; the arithmetic is ``coverage``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from monitor.platforms.coverage import HourCoverage, Period, brand_share, covered_share
from monitor.storage import outages_repo
from monitor.storage.sources_repo import SourceRow

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class SourceStatus:
    state: str  # ok | new | failing | throttled | blocked | needs_config | disabled | daemon_down
    reason: str | None
    label: str  # "blocked (login required)"
    coverage_24h: float


@dataclass(frozen=True)
class BrandStatus:
    brand: str
    sources: int
    live: int  # sources not inside an outage now
    coverage_24h: float


def schedule_health(row: SourceRow) -> str:
    """Health from the schedule columns alone (before any outage was recorded)."""
    if row.disabled_at is not None:
        return "disabled"
    if row.consecutive_errors:
        return "failing"
    if row.last_error:
        return "throttled"  # 429/503 with Retry-After: waiting as asked, not counted as an error
    if row.last_success_at is None:
        return "new"
    return "ok"


def source_statuses(conn: Connection, rows: Sequence[SourceRow], now: datetime) -> dict[int, SourceStatus]:
    open_now = outages_repo.open_outages(conn)
    periods = _periods(conn, now)
    out: dict[int, SourceStatus] = {}
    for row in rows:
        outage = open_now.get(row.id)
        base = schedule_health(row)
        if outage is not None:
            state, reason = outage.state, outage.reason
        elif base == "disabled":
            state, reason = "disabled", row.disabled_reason
        else:
            state, reason = base, None
        label = state.replace("_", " ") + (f" ({reason})" if reason and state != "disabled" else "")
        begin = max(now - WINDOW, row.created_at)
        share = covered_share(periods.get(row.id, ()), begin, now, now) if row.disabled_at is None else 0.0
        out[row.id] = SourceStatus(state, reason, label, share)
    return out


def brand_statuses(
    conn: Connection, rows: Sequence[SourceRow], brands: Sequence[str], now: datetime
) -> list[BrandStatus]:
    """Per brand: how many of its sources are live now, and its coverage over the last 24 hours."""
    periods = _periods(conn, now)
    open_now = outages_repo.open_outages(conn)
    out = []
    for brand in brands:
        mine = [r for r in rows if brand in r.brands and r.disabled_reason != "removed from config"]
        live = [r for r in mine if r.disabled_at is None and r.id not in open_now]
        created = {r.id: r.created_at for r in mine}
        ids = [r.id for r in mine if r.disabled_at is None] or [r.id for r in mine]
        share = brand_share(periods, ids, now - WINDOW, now, now, created=created) if mine else 0.0
        if any(r.disabled_at is not None for r in mine):
            # A disabled source watches nothing: count it as blind for the whole window.
            share *= len(ids) / len(mine) if len(ids) < len(mine) else 1.0
        out.append(BrandStatus(brand, len(mine), len(live), share))
    return out


def _periods(conn: Connection, now: datetime) -> dict[int, list[Period]]:
    periods: dict[int, list[Period]] = defaultdict(list)
    for outage in outages_repo.outages_between(conn, now - WINDOW, now):
        periods[outage.source_id].append((outage.started_at, outage.ended_at))
    return periods


def brand_blind_windows(
    conn: Connection, brand: str, start: datetime, now: datetime
) -> list[tuple[str, datetime, datetime | None]]:
    """The brand's blind windows since ``start``, pooled per platform (or per source without one):
    (label, start, end or None while still blind). Plain data for ``alerts.message``."""
    from monitor.platforms.adapters import ADAPTERS
    from monitor.platforms.coverage import gaps

    names = outages_repo.brand_source_ids(conn, brand)
    if not names:
        return []
    labelled: dict[str, list[Period]] = defaultdict(list)
    for outage in outages_repo.outages_between(conn, start, now, source_ids=list(names)):
        name = names[outage.source_id]
        prefix = name.split(":", 1)[0]
        label = ADAPTERS[prefix].label if ":" in name and prefix in ADAPTERS else name
        labelled[label].append((outage.started_at, outage.ended_at))
    return [(g.label, g.start, None if g.open else g.end) for g in gaps(labelled, start, now, now)]


def brand_hourly(
    conn: Connection, rows: Sequence[SourceRow], brand: str, start: datetime, now: datetime
) -> list[HourCoverage]:
    """The brand's coverage hour by hour since ``start`` (share of its sources x time watched)."""
    from monitor.platforms.coverage import hourly

    mine = [r for r in rows if brand in r.brands and r.disabled_reason != "removed from config"]
    periods: dict[int, list[Period]] = defaultdict(list)
    for outage in outages_repo.outages_between(conn, start, now, source_ids=[r.id for r in mine]):
        periods[outage.source_id].append((outage.started_at, outage.ended_at))
    for r in mine:  # a disabled source watches nothing from the moment it was disabled
        if r.disabled_at is not None and not any(e is None for _, e in periods[r.id]):
            periods[r.id].append((r.disabled_at, None))
    created = {r.id: r.created_at for r in mine}
    return hourly(periods, [r.id for r in mine], start, now, now, created=created)
