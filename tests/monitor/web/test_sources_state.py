"""The console's sources page and /api/v1/sources show a blocked source as blocked, with its coverage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from monitor.storage import outages_repo
from monitor.storage.schema import sources
from tests.monitor.web.conftest import bearer
from tests.monitor.web.seed import NOW, Seeded
from tests.monitor.web.test_auth import login


def test_blocked_source_on_page_and_api(seeded: Seeded, client: Any) -> None:
    with seeded.ctx.engine.begin() as conn:
        source_id = conn.execute(select(sources.c.id).order_by(sources.c.id)).scalars().first()
        assert source_id is not None
        outages_repo.transition(conn, source_id, "blocked", "login required", NOW - timedelta(hours=6))
    login(client, "auditor1")
    assert "blocked (login required)" in client.get("/sources").text
    listed = client.get("/api/v1/sources", headers=bearer(seeded, "admin")).json()
    (row,) = [s for s in listed if s["state"] == "blocked"]
    assert row["state_label"] == "blocked (login required)" and not row["healthy"]
    assert row["coverage_24h"] < 1.0
