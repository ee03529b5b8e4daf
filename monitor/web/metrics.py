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
from sqlalchemy.engine import Connection, Engine

from alerts.transitions import OPEN_STATES
from monitor.crawl.latency import FETCH_LATENCY_KEY, from_state, le_label
from monitor.storage import daemon_state_repo, reports_repo
from monitor.web.metrics_ops import OpsCollector


class _DatabaseCollector:
    def __init__(self, engine: Engine, now: datetime) -> None:
        self.engine = engine
        self.now = now

    def collect(self) -> Iterator[Metric]:
        with self.engine.connect() as conn:
            yield from _mentions(conn)
            yield from _incidents(conn)
            yield from _coverage(conn, self.now)
            yield from _latency(conn)


def _mentions(conn: Connection) -> Iterator[Metric]:
    family = CounterMetricFamily("brandguard_mentions", "Mentions stored", labels=["brand", "label"])
    for brand, label, count in reports_repo.mentions_by_brand_and_label(conn):
        family.add_metric([brand, label or "unscored"], count)
    yield family


def _incidents(conn: Connection) -> Iterator[Metric]:
    # Named for what it counts: incidents, not the notifications sent about them (brandguard_outbox_*).
    alerts = CounterMetricFamily(
        "brandguard_incidents_opened", "Incidents opened", labels=["brand", "severity"]
    )
    opened = GaugeMetricFamily(
        "brandguard_incidents_open", "Incidents not yet resolved or dismissed", labels=["severity"]
    )
    breaches = CounterMetricFamily(
        "brandguard_deadline_breaches", "Incidents that missed the response deadline", labels=["brand"]
    )
    for brand, severity, count in reports_repo.incidents_by_brand_and_severity(conn):
        alerts.add_metric([brand, severity], count)
    for severity, count in reports_repo.incidents_by_severity(conn, states=sorted(OPEN_STATES)):
        opened.add_metric([severity], count)
    for brand, count in reports_repo.breaches_by_brand(conn):
        breaches.add_metric([brand], count)
    yield from (alerts, opened, breaches)


def _coverage(conn: Connection, now: datetime) -> Iterator[Metric]:
    from monitor.platforms.status import source_statuses
    from monitor.storage.sources_repo import list_sources

    state = GaugeMetricFamily(
        "brandguard_source_state",
        "1 for each source's coverage state (blocked, needs_config ...)",
        labels=["source", "state", "reason"],
    )
    coverage = GaugeMetricFamily(
        "brandguard_source_coverage_24h", "Share of the last 24 h covered", labels=["source"]
    )
    rows = list_sources(conn)
    statuses = source_statuses(conn, rows, now)
    for row in rows:
        s = statuses[row.id]
        state.add_metric([row.name, s.state, s.reason or ""], 1)
        coverage.add_metric([row.name], s.coverage_24h)
    yield from (state, coverage)


def _latency(conn: Connection) -> Iterator[Metric]:
    # Written by the daemon (record_fetch_latency); absent until the first timed fetch (then all zero).
    histogram = from_state(daemon_state_repo.get_value(conn, FETCH_LATENCY_KEY))
    family = HistogramMetricFamily(
        "brandguard_fetch_latency_seconds",
        "Duration of source fetches (every outcome, all daemons)",
        buckets=[(le_label(bound), float(n)) for bound, n in histogram.cumulative()],
        sum_value=histogram.sum_s,
    )
    last = GaugeMetricFamily("brandguard_fetch_last_duration_seconds", "Duration of the latest fetch")
    last.add_metric([], histogram.last_s)
    yield from (family, last)


def render_metrics(engine: Engine, now: datetime, config: Any = None) -> tuple[bytes, str]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_DatabaseCollector(engine, now))
    registry.register(OpsCollector(engine, now))
    if config is not None:
        from monitor.web.metrics_incident_ops import IncidentOpsCollector

        registry.register(IncidentOpsCollector(engine, config, now))
    return generate_latest(registry), CONTENT_TYPE_LATEST
