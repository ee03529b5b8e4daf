"""monitor.crawl.ingest on SQLite and PostgreSQL: idempotent per platform + id, bad rows reported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from monitor.config import BrandConfig, Config
from monitor.crawl.ingest import Ingestor
from monitor.crawl.pipeline import Score
from monitor.storage.schema import mentions

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def scorer(texts: Sequence[str]) -> list[Score]:
    return [Score("negative" if "投诉" in t else "neutral", 0.9 if "投诉" in t else 0.1, ()) for t in texts]


def _row(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "platform": "weibo",
        "id": i,
        "text": f"云朵奶茶 第{i}号店 {'被投诉' if i % 2 else '好评'}，排队很久",
        "published_at": "2026-11-20T14:05:00+08:00",
        "followers": i,
        **extra,
    }


def test_ingest_twice_stores_once_and_counts_each_outcome(engine: Engine) -> None:
    config = Config(
        brands=(BrandConfig(name="云朵奶茶", query="云朵奶茶"), BrandConfig(name="别家", query="别家"))
    )
    ingestor = Ingestor(engine, config, scorer)
    rows: list[Any] = [_row(i) for i in range(300)]
    rows += [_row(1), {"platform": "weibo", "id": 999, "text": "与品牌无关", "published_at": 1763618700}, "x"]
    first = ingestor.ingest_objects(enumerate(rows, start=1), NOW)
    assert (first.received, first.stored, first.unmatched, len(first.errors)) == (303, 300, 1, 1)
    assert first.duplicates == 1  # the same post twice in one request
    again = ingestor.ingest_objects(enumerate(rows, start=1), NOW)
    assert (again.stored, again.duplicates) == (0, 301)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(mentions)).scalar_one() == 300
        negative = conn.execute(select(func.count()).where(mentions.c.label == "negative")).scalar_one()
    assert negative == 150


def test_brand_field_restricts_matching(engine: Engine) -> None:
    config = Config(
        brands=(BrandConfig(name="云朵奶茶", query="云朵奶茶"), BrandConfig(name="别家", query="别家"))
    )
    report = Ingestor(engine, config, scorer).ingest_objects(
        enumerate([_row(1, text="云朵奶茶 和 别家 对比", brand="别家")], start=1), NOW
    )
    assert report.stored == 1
    with engine.connect() as conn:
        assert conn.execute(select(mentions.c.brand)).scalars().all() == ["别家"]
