"""Prometheus exposition of figures read from the database at scrape time.

The database is the source of truth shared by every daemon instance, so the numbers are read there (a
custom collector) rather than counted in this process, which would miss what other processes did.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from monitor.crawl.latency import FETCH_LATENCY_KEY, from_state, le_label
from monitor.storage.schema import daemon_state, incidents, mentions, outbox, sources


class _DatabaseCollector:
    def __init__(self, engine: Engine, now: datetime) -> None:
        self.engine = engine
        self.now = now

    def collect(self) -> Iterator[Metric]:
        with self.engine.connect() as conn:
            yield from _mentions(conn)
            yield from _incidents(conn)
            yield from _sources(conn)
            yield from _coverage(conn, self.now)
            yield from _outbox(conn)
            yield from _latency(conn)


def _mentions(conn: Any) -> Iterator[Metric]:
    family = CounterMetricFamily("brandguard_mentions", "Mentions stored", labels=["brand", "label"])
    # Group by the plain column: PostgreSQL sees two bound "unscored" literals as different expressions.
    columns = (mentions.c.brand, mentions.c.label)
    query = select(*columns, func.count()).group_by(*columns)
    for brand, label, count in conn.execute(query):
        family.add_metric([brand, label or "unscored"], count)
    yield family


def _incidents(conn: Any) -> Iterator[Metric]:
    alerts = CounterMetricFamily("brandguard_alerts", "Incidents opened", labels=["brand", "severity"])
    opened = GaugeMetricFamily("brandguard_incidents_open", "Incidents not yet resolved or dismissed",
                               labels=["severity"])
    breaches = CounterMetricFamily("brandguard_deadline_breaches", "Incidents that missed the response "
                                   "deadline", labels=["brand"])
    for brand, severity, count in conn.execute(
        select(incidents.c.brand, incidents.c.severity, func.count()).group_by(
            incidents.c.brand, incidents.c.severity
        )
    ):
        alerts.add_metric([brand, severity], count)
    for severity, count in conn.execute(
        select(incidents.c.severity, func.count())
        .where(incidents.c.state.in_(("open", "acknowledged", "responded")))
        .group_by(incidents.c.severity)
    ):
        opened.add_metric([severity], count)
    for brand, count in conn.execute(
        select(incidents.c.brand, func.count()).where(incidents.c.breached_at.is_not(None))
        .group_by(incidents.c.brand)
    ):
        breaches.add_metric([brand], count)
    yield from (alerts, opened, breaches)


def _sources(conn: Any) -> Iterator[Metric]:
    errors = GaugeMetricFamily("brandguard_source_errors", "Consecutive fetch errors per source",
                               labels=["source"])
    fetches = CounterMetricFamily("brandguard_source_fetches", "Fetches per source", labels=["source"])
    for name, consecutive, count in conn.execute(
        select(sources.c.name, sources.c.consecutive_errors, sources.c.fetch_count)
    ):
        errors.add_metric([name], consecutive)
        fetches.add_metric([name], count)
    yield from (errors, fetches)


def _coverage(conn: Any, now: datetime) -> Iterator[Metric]:
    from monitor.platforms.status import source_statuses
    from monitor.storage.sources_repo import list_sources

    state = GaugeMetricFamily(
        "brandguard_source_state", "1 for each source's coverage state (blocked, needs_config ...)",
        labels=["source", "state", "reason"],
    )
    coverage = GaugeMetricFamily("brandguard_source_coverage_24h", "Share of the last 24 h covered",
                                 labels=["source"])
    rows = list_sources(conn)
    statuses = source_statuses(conn, rows, now)
    for row in rows:
        s = statuses[row.id]
        state.add_metric([row.name, s.state, s.reason or ""], 1)
        coverage.add_metric([row.name], s.coverage_24h)
    yield from (state, coverage)


def _outbox(conn: Any) -> Iterator[Metric]:
    family = GaugeMetricFamily("brandguard_notifications", "Outbox rows by status", labels=["status"])
    for status, count in conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)):
        family.add_metric([status], count)
    yield family


def _latency(conn: Any) -> Iterator[Metric]:
    # Written by the daemon (record_fetch_latency); absent until the first timed fetch (then all zero).
    value = conn.execute(select(daemon_state.c.value).where(daemon_state.c.key == FETCH_LATENCY_KEY)).scalar()
    histogram = from_state(value)
    family = HistogramMetricFamily(
        "brandguard_fetch_latency_seconds",
        "Duration of source fetches (every outcome, all daemons)",
        buckets=[(le_label(bound), float(n)) for bound, n in histogram.cumulative()],
        sum_value=histogram.sum_s,
    )
    last = GaugeMetricFamily("brandguard_fetch_latency_seconds_last", "Duration of the latest fetch")
    last.add_metric([], histogram.last_s)
    yield from (family, last)


def render_metrics(engine: Engine, now: datetime) -> tuple[bytes, str]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_DatabaseCollector(engine, now))
    return generate_latest(registry), CONTENT_TYPE_LATEST
