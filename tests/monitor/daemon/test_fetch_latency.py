"""The daemon accumulates fetch durations for /metrics, across ticks and daemons."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor.daemon import FETCH_LATENCY_KEY, record_fetch_latency
from monitor.storage.schema import daemon_state
from monitor.web.metrics import FETCH_LATENCY_KEY as METRICS_KEY

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _value(engine: Engine) -> object:
    with engine.connect() as conn:
        query = select(daemon_state.c.value).where(daemon_state.c.key == FETCH_LATENCY_KEY)
        return conn.execute(query).scalar()


def test_durations_accumulate_and_the_last_one_is_kept(engine: Engine) -> None:
    record_fetch_latency(engine, [0.5, 1.5], NOW)
    record_fetch_latency(engine, [], NOW)  # a tick with nothing fetched changes nothing
    record_fetch_latency(engine, [0.25], NOW)
    assert _value(engine) == {"count": 3, "sum_s": 2.25, "last_s": 0.25}


def test_the_metrics_endpoint_reads_the_same_row() -> None:
    assert METRICS_KEY == FETCH_LATENCY_KEY
