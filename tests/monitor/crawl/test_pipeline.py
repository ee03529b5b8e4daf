from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from monitor.crawl.pipeline import Crawler, DueSource, Fetched, plan_source_state
from monitor.storage.sources_repo import RELEASE_FIELDS

from .fakes import NOW, FakeWeb, add_source, mentions, ok, source_row

WORKER = "test:1:abc"


def _crawl(engine: Engine, web: FakeWeb, source_id: int, now=NOW):  # type: ignore[no-untyped-def]
    crawler = Crawler(engine, web.steps(), WORKER, random.Random(3))
    return asyncio.run(crawler.crawl(DueSource.from_row(source_row(engine, source_id)), now))


def _claim(engine: Engine, source_id: int) -> None:
    from sqlalchemy import update

    from monitor.storage import schema

    with engine.begin() as conn:
        conn.execute(update(schema.sources).where(schema.sources.c.id == source_id).values(claimed_by=WORKER))


def test_first_fetch_is_a_baseline_stored_scored_and_never_alerted(sqlite_engine: Engine) -> None:
    web = FakeWeb()
    web.serve("http://feeds.example/a.xml", ok("云帆汽车 新车发布\n别的品牌\n云帆汽车 自燃"))
    sid = add_source(sqlite_engine, "a", claimed_by=WORKER)
    result = _crawl(sqlite_engine, web, sid)
    assert (result.outcome, result.items, result.matched, result.stored, result.baseline) == (
        "ok",
        3,
        2,
        2,
        True,
    )
    rows = mentions(sqlite_engine)
    assert [r["baseline"] for r in rows] == [True, True]
    assert [r["policy_done"] for r in rows] == [True, True]  # the alert policy never sees them
    assert sorted((r["title"], r["label"]) for r in rows) == [
        ("云帆汽车 新车发布", "neutral"),
        ("云帆汽车 自燃", "negative"),
    ]
    state = source_row(sqlite_engine, sid)
    assert state["baseline_done"] and state["claimed_by"] is None and state["fetch_count"] == 1


def test_later_fetch_stores_only_new_items_for_the_policy(sqlite_engine: Engine) -> None:
    web = FakeWeb()
    url = "http://feeds.example/a.xml"
    web.serve(url, ok("云帆汽车 新车发布"), ok("云帆汽车 新车发布\n云帆汽车 自燃 视频"))
    sid = add_source(sqlite_engine, "a", claimed_by=WORKER)
    _crawl(sqlite_engine, web, sid)
    _claim(sqlite_engine, sid)
    result = _crawl(sqlite_engine, web, sid, NOW + timedelta(minutes=16))
    assert (result.stored, result.baseline) == (1, False)
    rows = mentions(sqlite_engine)
    assert [(r["baseline"], r["policy_done"]) for r in rows] == [(True, True), (False, False)]


def test_unchanged_body_is_not_parsed_again(sqlite_engine: Engine) -> None:
    web = FakeWeb()
    web.serve("http://feeds.example/a.xml", ok("云帆汽车 新车发布"))
    sid = add_source(sqlite_engine, "a", claimed_by=WORKER)
    _crawl(sqlite_engine, web, sid)
    _claim(sqlite_engine, sid)
    result = _crawl(sqlite_engine, web, sid, NOW + timedelta(minutes=16))
    assert result.outcome == "unchanged" and web.parsed == 1
    assert source_row(sqlite_engine, sid)["fetch_count"] == 2


def test_a_lost_claim_discards_the_crawl(sqlite_engine: Engine) -> None:
    web = FakeWeb()
    web.serve("http://feeds.example/a.xml", ok("云帆汽车 新车发布"))
    sid = add_source(sqlite_engine, "a", claimed_by="someone-else")
    result = _crawl(sqlite_engine, web, sid)
    assert result.outcome == "lost_claim"
    assert mentions(sqlite_engine) == []
    assert source_row(sqlite_engine, sid)["claimed_by"] == "someone-else"


def test_parse_error_counts_as_an_error_and_moves_on(sqlite_engine: Engine) -> None:
    web = FakeWeb()
    web.serve("http://feeds.example/a.xml", ok("<broken"))
    sid = add_source(sqlite_engine, "a", claimed_by=WORKER)
    result = _crawl(sqlite_engine, web, sid)
    assert result.outcome == "error" and "parse" in (result.error or "")
    state = source_row(sqlite_engine, sid)
    assert state["consecutive_errors"] == 1 and state["body_sha256"] is None
    assert result.next_check_at is not None and result.next_check_at > NOW


def test_source_failing_for_24_hours_is_disabled_with_an_audit_entry(sqlite_engine: Engine) -> None:
    web = FakeWeb()
    web.serve("http://feeds.example/a.xml", Fetched("error", error="connect timeout"))
    sid = add_source(
        sqlite_engine, "a", claimed_by=WORKER, consecutive_errors=40, first_error_at=NOW - timedelta(hours=24)
    )
    result = _crawl(sqlite_engine, web, sid)
    assert result.outcome == "disabled"
    state = source_row(sqlite_engine, sid)
    assert state["disabled_at"] is not None and "connect timeout" in state["disabled_reason"]
    assert web.audits == [("source.disabled", "a")]


SRC = DueSource(
    1,
    "a",
    "rss",
    "http://x/",
    900,
    "Asia/Shanghai",
    ("b",),
    consecutive_errors=2,
    first_error_at=NOW - timedelta(hours=1),
)


@pytest.mark.parametrize(
    ("fetched", "errors", "first_error", "min_delay_s", "max_delay_s"),
    [
        (Fetched("ok", body=b"x"), 0, None, 900, 960),
        (Fetched("not_modified"), 0, None, 900, 960),
        (Fetched("error", error="HTTP 500"), 3, NOW - timedelta(hours=1), 5, 240),
        (
            Fetched("retry_later", retry_after_s=3600, error="HTTP 429"),
            2,
            NOW - timedelta(hours=1),
            3600,
            3600,
        ),
        (Fetched("retry_later", retry_after_s=None, error="HTTP 503"), 2, NOW - timedelta(hours=1), 900, 900),
    ],
)
def test_every_outcome_moves_the_next_check_forward(
    fetched: Fetched,
    errors: int,
    first_error,
    min_delay_s: float,
    max_delay_s: float,  # type: ignore[no-untyped-def]
) -> None:
    values, disabled = plan_source_state(SRC, fetched, None, NOW, random.Random(5))
    assert not disabled
    assert values.get("consecutive_errors", SRC.consecutive_errors) == errors
    assert values.get("first_error_at", SRC.first_error_at) == first_error
    delay = (values["next_check_at"] - NOW).total_seconds()
    assert min_delay_s <= delay <= max_delay_s
    assert set(values) <= RELEASE_FIELDS  # what release_source accepts
