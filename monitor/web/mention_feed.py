"""The mentions feed with the console's filters (brand, source, sentiment, time window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor.storage.schema import mentions, sources
from monitor.storage.times import as_utc_required, to_db


@dataclass(frozen=True)
class FeedFilter:
    brand: str | None = None
    source: str | None = None
    label: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


def feed(engine: Engine, flt: FeedFilter) -> list[dict[str, Any]]:
    """Newest first."""
    query = select(
        mentions.c.id, mentions.c.brand, sources.c.name.label("source"), mentions.c.title, mentions.c.text,
        mentions.c.url, mentions.c.author, mentions.c.published_at, mentions.c.label, mentions.c.p_negative,
        mentions.c.risk_terms, mentions.c.incident_id,
    ).select_from(mentions.outerjoin(sources, sources.c.id == mentions.c.source_id))
    if flt.brand:
        query = query.where(mentions.c.brand == flt.brand)
    if flt.source:
        query = query.where(sources.c.name == flt.source)
    if flt.label:
        query = query.where(mentions.c.label == flt.label)
    if flt.since is not None:
        query = query.where(mentions.c.published_at >= to_db(flt.since))
    if flt.until is not None:
        query = query.where(mentions.c.published_at < to_db(flt.until))
    query = query.order_by(mentions.c.published_at.desc(), mentions.c.id.desc()).limit(flt.limit)
    with engine.connect() as conn:
        return [
            {**dict(r), "published_at": as_utc_required(r["published_at"])}
            for r in conn.execute(query).mappings()
        ]
