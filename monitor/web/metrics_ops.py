"""Operator metrics: per-source freshness and blind windows, channel health, queue depths and their bounds.

Conventions (https://prometheus.io/docs/practices/naming/): counters end in ``_total``, times are
seconds (``_seconds``) and points in time are Unix timestamps (``_timestamp_seconds``); every figure is
read from the database at scrape time, so one scrape covers every daemon sharing it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy.engine import Connection, Engine

from monitor.crawl.claim_loop import MAX_PENDING_MENTIONS, MAX_PENDING_OUTBOX
from monitor.storage.backlog_repo import read_backlog
from monitor.storage.ops_metrics_repo import blind_now, blind_seconds, channel_health, source_health


class OpsCollector:
    def __init__(self, engine: Engine, now: datetime) -> None:
        self.engine = engine
        self.now = now

    def collect(self) -> Iterator[Metric]:
        with self.engine.connect() as conn:
            yield from _sources(conn)
            yield from _blind(conn, self.now)
            yield from _channels(conn)
            yield from _queues(conn)


def _sources(conn: Connection) -> Iterator[Metric]:
    last = GaugeMetricFamily(
        "brandguard_source_last_success_timestamp_seconds",
        "When each source was last fetched successfully (Unix time; absent before the first success)",
        labels=["source"],
    )
    errors = GaugeMetricFamily(
        "brandguard_source_consecutive_errors", "Consecutive fetch errors per source", labels=["source"]
    )
    fetches = CounterMetricFamily("brandguard_source_fetches", "Fetches per source", labels=["source"])
    disabled = GaugeMetricFamily(
        "brandguard_source_disabled",
        "1 when the source is disabled (failing a day, or removed)",
        labels=["source"],
    )
    for source in source_health(conn):
        if source.last_success_at is not None:
            last.add_metric([source.name], source.last_success_at.timestamp())
        errors.add_metric([source.name], source.consecutive_errors)
        fetches.add_metric([source.name], source.fetch_count)
        disabled.add_metric([source.name], int(source.disabled))
    yield from (last, errors, fetches, disabled)


def _blind(conn: Connection, now: datetime) -> Iterator[Metric]:
    seconds = CounterMetricFamily(
        "brandguard_source_blind_seconds",
        "Time each source was not covered (failing, throttled, blocked ...), from source_outages",
        labels=["source", "state"],
    )
    for (name, state), value in sorted(blind_seconds(conn, now).items()):
        seconds.add_metric([name, state], value)
    current = GaugeMetricFamily("brandguard_sources_blind", "Sources not covered right now", labels=["state"])
    for state, count in sorted(blind_now(conn).items()):
        current.add_metric([state], count)
    yield from (seconds, current)


def _channels(conn: Connection) -> Iterator[Metric]:
    up = GaugeMetricFamily(
        "brandguard_channel_up",
        "0 when a permanent error (bad key, bad signature) disabled the channel",
        labels=["channel"],
    )
    rows = GaugeMetricFamily(
        "brandguard_outbox_messages",
        "Outbox rows by channel and status (pending, sent, failed, merged)",
        labels=["channel", "status"],
    )
    for channel in channel_health(conn):
        up.add_metric([channel.name], int(channel.up))
        for status, count in sorted(channel.by_status.items()):
            rows.add_metric([channel.name, status], count)
    yield from (up, rows)


def _queues(conn: Connection) -> Iterator[Metric]:
    backlog = read_backlog(conn)
    for name, help_text, value, bound in (
        (
            "brandguard_outbox_pending",
            "Notifications waiting to be sent",
            backlog.pending_outbox,
            MAX_PENDING_OUTBOX,
        ),
        (
            "brandguard_mentions_pending_policy",
            "Mentions waiting for the alert policy",
            backlog.pending_mentions,
            MAX_PENDING_MENTIONS,
        ),
    ):
        gauge = GaugeMetricFamily(name, help_text)
        gauge.add_metric([], value)
        limit = GaugeMetricFamily(f"{name}_limit", f"{help_text}: above this, daemons stop claiming sources")
        limit.add_metric([], bound)
        yield from (gauge, limit)
