"""Read-only figures over stored rows, counted by the database: the report page's day series and top
incidents, the /metrics counters, and the demo's summary and narration.

Aggregation is ``GROUP BY`` in SQL on both databases, never rows loaded into Python to be counted.
Local days are half-open ranges between boundaries the caller computes in its display zone (so a
daylight-saving day is 23 or 25 hours long, as it should be); the bucket of a row is a ``CASE`` over
those boundaries inside a subquery, and the outer query groups by the subquery's plain column:
PostgreSQL would not treat the same expression with separately bound parameters as one group key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from monitor.storage.schema import deadline_events, incidents, mentions, outbox, sources
from monitor.storage.times import as_utc_required, to_db

# --- the report page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    """Mentions of one brand in one day bucket; ``day`` is None for rows after the last boundary."""

    brand: str
    day: int | None
    mentions: int
    negative: int


def daily_mention_counts(conn: Connection, day_starts: Sequence[datetime]) -> list[DayCount]:
    """Per brand and day, mentions and negative ones published from ``day_starts[0]`` on.

    Bucket ``i`` is ``[day_starts[i], day_starts[i + 1])``; give one more boundary than days (the end of
    the last day). Brands whose rows all lie after the last boundary still appear, with ``day`` None.
    """
    if len(day_starts) < 2:
        raise ValueError("day_starts needs at least a start and an end")
    bounds = [to_db(moment) for moment in day_starts]
    bucket = case(
        *((mentions.c.published_at < end, index) for index, end in enumerate(bounds[1:])), else_=None
    )
    rows = (
        select(mentions.c.brand, bucket.label("day"), mentions.c.label)
        .where(mentions.c.published_at >= bounds[0])
        .subquery()
    )
    query = select(
        rows.c.brand,
        rows.c.day,
        func.count(),
        func.coalesce(func.sum(case((rows.c.label == "negative", 1), else_=0)), 0),
    ).group_by(rows.c.brand, rows.c.day)
    return [
        DayCount(brand, None if day is None else int(day), int(total), int(negative))
        for brand, day, total, negative in conn.execute(query)
    ]


def top_incidents(conn: Connection, *, since: datetime, limit: int) -> list[dict[str, Any]]:
    """Incidents opened since ``since``, most severe first, then by reach."""
    query = (
        select(
            incidents.c.id,
            incidents.c.brand,
            incidents.c.severity,
            incidents.c.state,
            incidents.c.title,
            incidents.c.reach,
            incidents.c.mention_count,
        )
        .where(incidents.c.opened_at >= to_db(since))
        .order_by(incidents.c.severity, incidents.c.reach.desc(), func.coalesce(incidents.c.id, 0))
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


# --- /metrics -----------------------------------------------------------------------------------


def mentions_by_brand_and_label(conn: Connection) -> list[tuple[str, str | None, int]]:
    """(brand, label or None when unscored, count)."""
    # Group by the plain columns and name NULL "unscored" in Python: PostgreSQL sees two bound literals
    # (one in SELECT, one in GROUP BY) as different expressions.
    columns = (mentions.c.brand, mentions.c.label)
    query = select(*columns, func.count()).group_by(*columns)
    return [(brand, label, int(n)) for brand, label, n in conn.execute(query)]


def incidents_by_brand_and_severity(conn: Connection) -> list[tuple[str, str, int]]:
    columns = (incidents.c.brand, incidents.c.severity)
    return [(b, s, int(n)) for b, s, n in conn.execute(select(*columns, func.count()).group_by(*columns))]


def incidents_by_severity(conn: Connection, *, states: Sequence[str]) -> list[tuple[str, int]]:
    """(severity, count) of incidents in one of ``states``."""
    query = (
        select(incidents.c.severity, func.count())
        .where(incidents.c.state.in_(tuple(states)))
        .group_by(incidents.c.severity)
    )
    return [(s, int(n)) for s, n in conn.execute(query)]


def breaches_by_brand(conn: Connection) -> list[tuple[str, int]]:
    """(brand, incidents that missed their response deadline)."""
    query = (
        select(incidents.c.brand, func.count())
        .where(incidents.c.breached_at.is_not(None))
        .group_by(incidents.c.brand)
    )
    return [(b, int(n)) for b, n in conn.execute(query)]


def outbox_by_status(conn: Connection) -> list[tuple[str, int]]:
    query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
    return [(status, int(n)) for status, n in conn.execute(query)]


# --- the demo's summary and narration -----------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    sources: int
    mentions: int
    negative: int
    incidents: int


def totals(conn: Connection) -> Totals:
    """Row counts of sources, mentions (and negative ones) and incidents: one round trip."""
    query = select(
        select(func.count()).select_from(sources).scalar_subquery(),
        select(func.count()).select_from(mentions).scalar_subquery(),
        select(func.count()).select_from(mentions).where(mentions.c.label == "negative").scalar_subquery(),
        select(func.count()).select_from(incidents).scalar_subquery(),
    )
    n_sources, n_mentions, n_negative, n_incidents = conn.execute(query).one()
    return Totals(int(n_sources), int(n_mentions), int(n_negative), int(n_incidents))


def negative_fetched_at(conn: Connection, fetched_at: datetime) -> int:
    """Negative, non-baseline mentions stored by the crawl that ran at ``fetched_at``."""
    query = select(func.count()).where(
        mentions.c.fetched_at == to_db(fetched_at),
        mentions.c.label == "negative",
        mentions.c.baseline.is_(False),
    )
    return int(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class IncidentOpened:
    id: int
    severity: str
    brand: str
    title: str
    respond_by: datetime


def incidents_opened(conn: Connection) -> list[IncidentOpened]:
    """Every incident in id order (the narrator tells the ones it has not seen)."""
    query = select(
        incidents.c.id, incidents.c.severity, incidents.c.brand, incidents.c.title, incidents.c.respond_by
    ).order_by(incidents.c.id)
    return [
        IncidentOpened(int(i), severity, brand, title or "", as_utc_required(respond_by))
        for i, severity, brand, title, respond_by in conn.execute(query)
    ]


@dataclass(frozen=True)
class ClockEvent:
    id: int
    incident_id: int
    kind: str
    skipped: bool


def fired_clock_events(conn: Connection) -> list[ClockEvent]:
    """Reminders, escalations and breaches that fired (or were skipped as stale), in id order."""
    ev = deadline_events.c
    query = select(ev.id, ev.incident_id, ev.kind, ev.skipped).where(ev.fired_at.is_not(None)).order_by(ev.id)
    return [
        ClockEvent(int(i), int(incident), kind, bool(skipped))
        for i, incident, kind, skipped in conn.execute(query)
    ]
