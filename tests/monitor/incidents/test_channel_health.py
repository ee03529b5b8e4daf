"""A WeCom endpoint answering HTTP 200 without ``errcode`` is a failure: counted, logged, shown by
``alerts channels`` and /metrics; the calendar gap is on /metrics too."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from monitor import incidents
from monitor.incidents.outbox import deliver_due
from monitor.storage.channel_health_repo import health_rows
from monitor.web.metrics import render_metrics
from tests.monitor.incidents.helpers import T0, add_mention, make_config

CFG = make_config(
    channels=[{"name": "wecom", "kind": "wecom", "url": "https://qyapi.test/cgi-bin/webhook/send?key=k"}],
    routes=[{"channels": ["wecom"]}],
)


def _transport(answers: list[dict[str, object]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(answers.pop(0) if answers else {"errcode": 0}))

    return httpx.MockTransport(handler)


def _metrics(engine: Engine, now: datetime) -> dict[str, list[tuple[dict[str, str], float]]]:
    body, _ = render_metrics(engine, now, CFG)
    families = text_string_to_metric_families(body.decode())
    return {f.name: [(s.labels, s.value) for s in f.samples] for f in families}


def test_http_200_without_errcode_is_a_counted_failure(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    add_mention(sqlite_engine)
    incidents.process_pending_mentions(sqlite_engine, CFG, T0)
    with caplog.at_level(logging.WARNING, logger="brandguard.notify"):
        assert deliver_due(sqlite_engine, CFG, T0, transport=_transport([{}])) == 0
    assert "without the platform's success code" in caplog.text
    with sqlite_engine.connect() as conn:
        [row] = health_rows(conn)
    assert (row["ok_count"], row["fail_count"]) == (0, 1)
    metrics = _metrics(sqlite_engine, T0)
    assert ({"channel": "wecom"}, 0.0) in metrics["brandguard_channel_healthy"]
    assert ({"channel": "wecom", "outcome": "failed"}, 1.0) in metrics["brandguard_channel_sends"]


def test_metrics_name_the_year_without_holiday_data(sqlite_engine: Engine) -> None:
    metrics = _metrics(sqlite_engine, datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    assert metrics["brandguard_calendar_year_missing"] == [({"year": "2027"}, 1.0)]
    assert _metrics(sqlite_engine, datetime(2025, 6, 1, tzinfo=UTC))["brandguard_calendar_year_missing"] == []
