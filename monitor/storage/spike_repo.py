"""Counts for brand-level spike detection: mentions and negative mentions per brand in a time window
(one GROUP BY per window, on the (brand, published_at) index)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from monitor.storage.schema import incidents, mentions
from monitor.storage.times import to_db


def counts_by_brand(
    conn: Connection, start: datetime, end: datetime, threshold: float
) -> dict[str, tuple[int, int]]:
    """{brand: (mentions, negative mentions)} published in [start, end); first-fetch baselines excluded."""
    negative = func.sum(case((mentions.c.p_negative >= threshold, 1), else_=0))
    query = (
        select(mentions.c.brand, func.count(), negative)
        .where(
            mentions.c.published_at >= to_db(start),
            mentions.c.published_at < to_db(end),
            mentions.c.baseline.is_(False),
        )
        .group_by(mentions.c.brand)
    )
    return {brand: (int(total), int(neg or 0)) for brand, total, neg in conn.execute(query)}


def open_spike_incident(
    conn: Connection, brand: str, story_key: str, open_states: tuple[str, ...]
) -> int | None:
    return conn.execute(
        select(incidents.c.id)
        .where(
            incidents.c.brand == brand, incidents.c.story_key == story_key, incidents.c.state.in_(open_states)
        )
        .order_by(incidents.c.id.desc())
        .limit(1)
    ).scalar()
