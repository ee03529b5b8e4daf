"""Reads behind the operator metrics (``monitor.web.metrics_ops``): sources, blind windows, channels, queues.

Each function is one or two grouped queries whose cost grows with the number of sources or channels,
never with the number of mentions or outbox rows stored (those are counted through indexes).
Blind windows come from ``source_outages`` (filled by the coverage code, issue 12): a period
[started_at, ended_at) during which a source was not covered; a NULL ended_at means "until now".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from monitor.storage.schema import channel_state, outbox, source_outages, sources
from monitor.storage.times import as_utc, as_utc_required


@dataclass(frozen=True)
class SourceHealth:
    name: str
    last_success_at: datetime | None
    consecutive_errors: int
    fetch_count: int
    disabled: bool


def source_health(conn: Connection) -> Iterator[SourceHealth]:
    query = select(
        sources.c.name,
        sources.c.last_success_at,
        sources.c.consecutive_errors,
        sources.c.fetch_count,
        sources.c.disabled_at,
    ).order_by(sources.c.name)
    for name, last_success, errors, fetches, disabled_at in conn.execute(query):
        yield SourceHealth(name, as_utc(last_success), int(errors), int(fetches), disabled_at is not None)


def blind_seconds(conn: Connection, now: datetime) -> dict[tuple[str, str], float]:
    """Seconds each source spent not covered, by (source name, outage state), up to ``now``.

    Summed here rather than in SQL: interval arithmetic differs between SQLite and PostgreSQL, and there
    are few outage rows per source (one per breakage, not one per fetch).
    """
    query = select(
        sources.c.name, source_outages.c.state, source_outages.c.started_at, source_outages.c.ended_at
    ).join(sources, sources.c.id == source_outages.c.source_id)
    totals: dict[tuple[str, str], float] = {}
    for name, state, started, ended in conn.execute(query):
        end = as_utc(ended) or now
        seconds = max(0.0, (min(end, now) - as_utc_required(started)).total_seconds())
        totals[(name, state)] = totals.get((name, state), 0.0) + seconds
    return totals


def blind_now(conn: Connection) -> dict[str, int]:
    """Sources not covered right now, by outage state."""
    query = (
        select(source_outages.c.state, func.count(func.distinct(source_outages.c.source_id)))
        .where(source_outages.c.ended_at.is_(None))
        .group_by(source_outages.c.state)
    )
    return {state: int(n) for state, n in conn.execute(query)}


@dataclass(frozen=True)
class ChannelHealth:
    name: str
    up: bool
    by_status: dict[str, int]


def channel_health(conn: Connection) -> list[ChannelHealth]:
    """Per channel: disabled by a permanent error or not, and its outbox rows by status."""
    counts: dict[str, dict[str, int]] = {}
    for channel, status, n in conn.execute(
        select(outbox.c.channel, outbox.c.status, func.count()).group_by(outbox.c.channel, outbox.c.status)
    ):
        counts.setdefault(channel, {})[status] = int(n)
    up = {
        name: disabled is None
        for name, disabled in conn.execute(select(channel_state.c.name, channel_state.c.disabled_at))
    }
    return [
        ChannelHealth(name, up.get(name, True), counts.get(name, {}))
        for name in sorted(set(up) | set(counts))
    ]
