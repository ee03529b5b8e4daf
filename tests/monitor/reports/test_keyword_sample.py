"""The keyword sample: about ``cap`` texts, each brand in proportion to its mentions, spread over the
period, and all texts when a brand has fewer than its share."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from monitor.storage.brief_sample_repo import text_sample
from monitor.storage.schema import mentions
from tests.monitor.reports.fixture_data import t

START = t("2026-11-22T16:00:00")
END = START + timedelta(days=4)


def _seed(engine: Engine, brand: str, count: int) -> None:
    step = (END - START) / count
    with engine.begin() as conn:
        conn.execute(
            insert(mentions),
            [
                {
                    "brand": brand,
                    "dedup_key": f"{brand}{i}",
                    "story_key": f"{brand}{i}",
                    "title": f"{brand} day{(step * i).days}",
                    "text": "",
                    "published_at": START + step * i,
                    "fetched_at": START + step * i,
                }
                for i in range(count)
            ],
        )


def test_shares_follow_the_counts_and_cover_the_period(engine: Engine) -> None:
    _seed(engine, "A", 300)
    _seed(engine, "B", 100)
    with engine.connect() as conn:
        texts = text_sample(conn, {"A": 300, "B": 100}, START, END, cap=40)
    assert len(texts) == 40
    assert sum(x.startswith("A ") for x in texts) == 30 and sum(x.startswith("B ") for x in texts) == 10
    assert {x.split()[1] for x in texts if x.startswith("A ")} == {"day0", "day1", "day2", "day3"}
    assert {x.split()[1] for x in texts if x.startswith("B ")} == {"day0", "day1", "day2", "day3"}


def test_a_small_brand_gives_all_its_texts_and_an_empty_period_none(engine: Engine) -> None:
    _seed(engine, "A", 7)
    with engine.connect() as conn:
        assert len(text_sample(conn, {"A": 7}, START, END, cap=1000)) == 7
        assert text_sample(conn, {"A": 0}, START, END, cap=1000) == []
