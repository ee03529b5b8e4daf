"""The API on PostgreSQL: the same stores and cores as on SQLite (ingest, incident actions, check, audit)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from monitor.web import accounts as users
from monitor.web.app import create_app
from tests.monitor.web.conftest import FAST_ARGON2
from tests.monitor.web.seed import NOW, fake_scorer, seed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's import-time note about httpx2
    from starlette.testclient import TestClient

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def test_api_flow_on_postgres(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRANDGUARD_DATABASE_URL", pg_url)
    monkeypatch.setattr(users, "PASSWORD_HASHER_PARAMS", FAST_ARGON2)
    data = seed(tmp_path)
    app = create_app(data.ctx, secure_cookies=False, clock=lambda: NOW, scorer_factory=fake_scorer)
    pr = {"Authorization": f"Bearer {data.tokens['pr']}"}
    auditor = {"Authorization": f"Bearer {data.tokens['auditor']}"}
    try:
        with TestClient(app) as client:
            body = {"brand": "示例品牌", "title": "门店被投诉", "guid": "pg-1"}
            assert client.post("/api/v1/mentions", json=body, headers=pr).status_code == 201
            assert client.post("/api/v1/mentions", json=body, headers=pr).status_code == 200
            acked = client.post(f"/api/v1/incidents/{data.incident_id}/acknowledge", headers=pr)
            assert acked.json()["acknowledged_by"] == "pr1"
            assert client.post("/api/v1/check", json={"text": "全网第一"}, headers=pr).status_code == 200
            assert client.post("/api/v1/check", json={"text": "全网第一"}, headers=auditor).status_code == 403
            kinds = [e["kind"] for e in client.get("/api/v1/audit", headers=auditor).json()]
            assert {"mention.ingest", "incident.ack", "check"} <= set(kinds)
            assert client.get("/api/v1/audit/verify", headers=auditor).json()["ok"] is True
            assert "brandguard_mentions_total" in client.get("/metrics", headers=auditor).text
            assert client.get("/reports", headers=auditor).status_code == 200
    finally:
        data.ctx.close()
