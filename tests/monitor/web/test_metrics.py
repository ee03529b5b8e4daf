"""/metrics rendering straight from the database: the fetch-latency histogram on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from monitor.crawl.daemon import record_fetch_latency
from monitor.crawl.latency import FETCH_LATENCY_KEY
from monitor.storage.schema import daemon_state
from monitor.web.metrics import render_metrics
from tests.monitor.web.conftest import bearer
from tests.monitor.web.seed import Seeded

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
HISTOGRAM = "brandguard_fetch_latency_seconds"


def latency_samples(text: str) -> dict[str, list[Sample]]:
    """The histogram's samples by suffix (``_bucket``, ``_count``, ``_sum``), checked for Prometheus rules."""
    families = {f.name: f for f in text_string_to_metric_families(text)}
    family = families[HISTOGRAM]
    assert family.type == "histogram"
    by_suffix: dict[str, list[Sample]] = {}
    for sample in family.samples:
        by_suffix.setdefault(sample.name.removeprefix(HISTOGRAM), []).append(sample)
    buckets = by_suffix["_bucket"]
    bounds = [float(s.labels["le"]) for s in buckets]
    counts = [s.value for s in buckets]
    assert bounds == sorted(bounds) and bounds[-1] == math.inf
    assert counts == sorted(counts), "cumulative buckets must never decrease"
    assert counts[-1] == by_suffix["_count"][0].value
    return by_suffix


def cumulative(samples: dict[str, list[Sample]]) -> dict[str, float]:
    return {s.labels["le"]: s.value for s in samples["_bucket"]}


def test_recorded_fetches_render_as_a_histogram(engine: Engine) -> None:
    record_fetch_latency(engine, [0.05, 0.3], NOW)
    record_fetch_latency(engine, [0.1, 45.0], NOW)
    text = render_metrics(engine, NOW)[0].decode()
    samples = latency_samples(text)
    assert cumulative(samples) == {
        "0.05": 1,
        "0.1": 2,
        "0.25": 2,
        "0.5": 3,
        "1.0": 3,
        "2.5": 3,
        "5.0": 3,
        "10.0": 3,
        "30.0": 3,
        "+Inf": 4,
    }
    assert samples["_count"][0].value == 4
    assert samples["_sum"][0].value == pytest.approx(45.45)
    assert "brandguard_fetch_last_duration_seconds 45.0" in text


def test_no_fetch_yet_renders_an_empty_histogram(engine: Engine) -> None:
    samples = latency_samples(render_metrics(engine, NOW)[0].decode())
    assert set(cumulative(samples).values()) == {0}
    assert samples["_sum"][0].value == 0


def test_a_row_written_before_buckets_renders_its_count_in_inf(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(daemon_state).values(
                key=FETCH_LATENCY_KEY, value={"count": 3, "sum_s": 2.25, "last_s": 0.25}, updated_at=NOW
            )
        )
    samples = latency_samples(render_metrics(engine, NOW)[0].decode())
    assert cumulative(samples)["30.0"] == 0
    assert cumulative(samples)["+Inf"] == 3
    assert samples["_sum"][0].value == 2.25


def test_get_metrics_serves_the_histogram(seeded: Seeded, client: Any) -> None:
    record_fetch_latency(seeded.ctx.engine, [0.2, 0.25, 7.0], NOW)
    response = client.get("/metrics", headers=bearer(seeded, "auditor"))
    assert response.status_code == 200
    samples = latency_samples(response.text)
    assert cumulative(samples)["0.1"] == 0
    assert cumulative(samples)["0.25"] == 2
    assert cumulative(samples)["10.0"] == 3
    assert samples["_count"][0].value == 3
