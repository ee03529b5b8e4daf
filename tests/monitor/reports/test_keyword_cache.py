"""Keywords of a closed period are computed once while its counts stay the same."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from monitor.reports import BriefRequest, briefing, build_brief, keyword_cache
from monitor.storage.schema import mentions
from monitor.storage.transactions import read_transaction
from tests.monitor.reports.fixture_data import NOW, config, seed, t

ZONE = ZoneInfo("Asia/Shanghai")


def _keywords(engine: Engine, now: datetime = NOW, since: date | None = None) -> list[dict[str, Any]]:
    with read_transaction(engine) as conn:
        brief = build_brief(conn, config(), BriefRequest("week", since=since), now=now, zone=ZONE)
    return list(brief["keywords"])


def test_closed_period_keywords_are_cached_until_the_counts_change(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.storage.engine import open_database

    engine = open_database(sqlite_url)
    try:
        seed(engine)
        keyword_cache.clear()
        calls = []
        real = briefing._keywords_on
        monkeypatch.setattr(briefing, "_keywords_on", lambda *a: calls.append(1) or real(*a))
        first = _keywords(engine)
        assert _keywords(engine) == first and len(calls) == 1  # second brief: from the cache
        with engine.begin() as conn:  # a late mention of the closed week changes its counts
            at = t("2026-11-25T02:00:00")
            conn.execute(
                insert(mentions).values(
                    brand="甲品牌",
                    dedup_key="late",
                    story_key="late",
                    title="甲品牌 迟到 召回 召回",
                    text="召回",
                    published_at=at,
                    fetched_at=at,
                    label="negative",
                )
            )
        _keywords(engine)
        assert len(calls) == 2
        # A window that has not ended yet is never cached.
        sunday_evening = t("2026-11-29T12:00:00")  # 20:00 in Shanghai, the week 11-23 not over yet
        _keywords(engine, now=sunday_evening, since=date(2026, 11, 23))
        _keywords(engine, now=sunday_evening, since=date(2026, 11, 23))
        assert len(calls) == 4
    finally:
        keyword_cache.clear()
        engine.dispose()
