"""The mentions feed with the console's filters (brand, source, sentiment, time window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from monitor.storage.mentions_repo import list_mentions
from monitor.storage.sources_repo import source_names


@dataclass(frozen=True)
class FeedFilter:
    brand: str | None = None
    source: str | None = None
    label: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


def feed(engine: Engine, flt: FeedFilter) -> list[dict[str, Any]]:
    """Newest first, each mention with the name of its source."""
    with engine.connect() as conn:
        # The sources table is small (hundreds to thousands of rows): a name map beats a join here and
        # keeps the one mention query in mentions_repo.
        names = source_names(conn)
        source_id: int | None = None
        if flt.source:
            source_id = next((i for i, name in names.items() if name == flt.source), None)
            if source_id is None:
                return []
        rows = list_mentions(
            conn,
            brand=flt.brand or None,
            since=flt.since,
            until=flt.until,
            label=flt.label or None,
            source_id=source_id,
            limit=flt.limit,
        )
    return [
        {
            "id": r.id,
            "brand": r.brand,
            "source": names.get(r.source_id) if r.source_id else None,
            "title": r.title,
            "text": r.text,
            "url": r.url,
            "author": r.author,
            "published_at": r.published_at,
            "label": r.label,
            "p_negative": r.p_negative,
            "risk_terms": list(r.risk_terms),
            "incident_id": r.incident_id,
        }
        for r in rows
    ]
