"""--metrics-listen: /metrics without a token, on loopback only."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.engine import Engine

from monitor.errors import UsageError
from monitor.web.metrics_server import MetricsServer


def test_serves_metrics_without_a_token(engine: Engine) -> None:
    server = MetricsServer(engine, host="127.0.0.1", port=0).start()
    try:
        answer = httpx.get(server.url, timeout=10)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain")
        assert "brandguard_outbox_pending 0.0" in answer.text
        assert httpx.get(server.url.replace("/metrics", "/api/v1/incidents"), timeout=10).status_code == 404
    finally:
        server.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5", "example.com"])
def test_refuses_anything_but_loopback(engine: Engine, host: str) -> None:
    with pytest.raises(UsageError, match="only on loopback"):
        MetricsServer(engine, host=host, port=0)
