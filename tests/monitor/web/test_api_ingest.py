"""POST /api/v1/mentions with a list: vendor / crawler batches, idempotent per platform + id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.config import BrandConfig, Config
from monitor.storage.schema import mentions
from monitor.web import api_ingest
from tests.monitor.web.conftest import bearer, make_client
from tests.monitor.web.seed import Seeded


@pytest.fixture
def vendor(seeded: Seeded) -> Iterator[tuple[Seeded, Any]]:
    seeded.ctx._config = Config(brands=(BrandConfig(name="示例品牌", query="示例品牌"),))
    with make_client(seeded) as client:
        yield seeded, client


def _row(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "platform": "weibo",
        "id": f"50{i:08d}",
        "text": f"示例品牌 第{i}条 门店被投诉" if i % 2 else f"示例品牌 第{i}条 新品不错",
        "author": f"user{i}",
        "followers": 1000 + i,
        "reposts": i,
        "comments": 2 * i,
        "likes": 3 * i,
        "published_at": "2026-11-20T14:05:00+08:00",
        "url": f"https://weibo.com/u/50{i:08d}",
        **extra,
    }


def _count(seeded: Seeded) -> int:
    with seeded.ctx.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(mentions).where(mentions.c.source_id.is_(None))
            ).scalar_one()
        )


def test_100_requests_of_100_are_stored_once_each_even_when_retried(vendor: tuple[Seeded, Any]) -> None:
    seeded, client = vendor
    before = _count(seeded)
    batches = [[_row(b * 100 + i) for i in range(100)] for b in range(100)]
    for batch in batches:
        answer = client.post("/api/v1/mentions", json=batch, headers=bearer(seeded, "pr"))
        assert answer.status_code == 200, answer.text
        assert answer.json()["stored"] == 100
    for batch in batches[:10]:  # a vendor retrying after timeouts
        again = client.post("/api/v1/mentions", json=batch, headers=bearer(seeded, "pr")).json()
        assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 100, 0)
    assert _count(seeded) - before == 10_000
    with seeded.ctx.engine.connect() as conn:
        row = conn.execute(
            select(mentions.c.followers, mentions.c.comments, mentions.c.label, mentions.c.author).where(
                mentions.c.url == "https://weibo.com/u/5000000001"
            )
        ).one()
    assert tuple(row) == (1001, 2, "negative", "user1")


def test_bad_rows_are_reported_with_their_index_and_the_rest_stored(vendor: tuple[Seeded, Any]) -> None:
    seeded, client = vendor
    rows: list[Any] = [
        _row(1),
        _row(2, followers=-1),
        "not an object",
        _row(4, published_at="yesterday"),
        _row(5),
    ]
    answer = client.post("/api/v1/mentions", json=rows, headers=bearer(seeded, "admin")).json()
    assert answer["stored"] == 2 and answer["rejected"] == 3
    assert [e["row"] for e in answer["errors"]] == [2, 3, 4]
    assert answer["errors"][0]["error"].startswith("followers: must be a non-negative integer")


def test_same_id_on_another_platform_is_another_post(vendor: tuple[Seeded, Any]) -> None:
    seeded, client = vendor
    rows = [_row(7), _row(7, platform="douyin")]
    assert client.post("/api/v1/mentions", json=rows, headers=bearer(seeded, "pr")).json()["stored"] == 2


def test_body_over_the_limit_is_refused(vendor: tuple[Seeded, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    seeded, client = vendor
    monkeypatch.setattr(api_ingest, "MAX_BODY_BYTES", 2_000)
    monkeypatch.setattr(api_ingest.read_json_capped, "__defaults__", (2_000,))
    rows = [_row(i) for i in range(20)]
    answer = client.post("/api/v1/mentions", json=rows, headers=bearer(seeded, "pr"))
    assert answer.status_code == 413
    assert _count(seeded) == 0 or "detail" in answer.json()


@pytest.mark.parametrize(
    ("role", "allowed"), [("pr", True), ("admin", True), ("copywriter", False), ("auditor", False)]
)
def test_batch_ingest_roles(vendor: tuple[Seeded, Any], role: str, allowed: bool) -> None:
    seeded, client = vendor
    answer = client.post("/api/v1/mentions", json=[_row(1)], headers=bearer(seeded, role))
    assert (answer.status_code == 200) is allowed
    assert (answer.status_code == 403) is (not allowed)
