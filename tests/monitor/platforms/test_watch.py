"""A platform source through the real crawl steps: each blocked/error fixture becomes its state, the
operator hears about it once (not once per poll), and coverage shows the gap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from monitor.config import Config
from monitor.crawl.daemon import sync_config_sources
from monitor.crawl.pipeline import Crawler, DueSource, Fetched, Score
from monitor.crawl.steps import RealSteps
from monitor.platforms import brand_share, describe, gaps
from monitor.storage import outages_repo
from monitor.storage.schema import outbox, sources
from monitor.storage.sources_repo import claim_due_sources
from tests.monitor.platforms.test_blocked import CASES, FIXTURES

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 14:00 Beijing
STEP = timedelta(minutes=30)


def fake_scorer(texts: Any) -> list[Score]:
    return [Score("negative" if "投诉" in t else "neutral", 0.9 if "投诉" in t else 0.1, ()) for t in texts]


CONFIG = {
    "brands": [{"name": "云朵奶茶", "query": "云朵奶茶"}],
    "platforms": [{"name": "weibo", "rsshub": "http://127.0.0.1:1200", "interval": 60}],
    "channels": [{"name": "ops", "kind": "webhook", "url": "https://hooks.example.com/ops"}],
    "operator": {"channels": ["ops"]},
}


class World:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.config = Config.model_validate(CONFIG)
        self.real = RealSteps(self.config, scorer=fake_scorer)
        self.steps = self.real.steps()
        self.serving: tuple[int, bytes] = (200, b"")
        self.steps.fetch = self.fetch
        sync_config_sources(engine, self.config, T0 - STEP)
        with engine.connect() as conn:
            self.source_id = int(conn.execute(select(sources.c.id)).scalar_one())

    async def fetch(self, source: DueSource) -> Fetched:
        status, body = self.serving
        outcome = "ok" if status == 200 else ("retry_later" if status in (429, 503) else "error")
        return Fetched(
            outcome, body=body, http_status=status, error=None if status == 200 else f"HTTP {status}"
        )  # type: ignore[arg-type]

    def crawl(self, status: int, body: bytes, now: datetime) -> str:
        self.serving = (status, body)
        with self.engine.begin() as conn:  # due now, whatever back-off the last error chose
            conn.execute(update(sources).values(next_check_at=now))
        (row,) = claim_due_sources(self.engine, worker_id="w", now=now, limit=1, lease_s=60)
        crawler = Crawler(self.engine, self.steps, "w")
        return asyncio.run(crawler.crawl(DueSource.from_row(row), now)).outcome

    def state(self) -> tuple[str, str | None]:
        with self.engine.connect() as conn:
            outage = outages_repo.open_outage(conn, self.source_id)
        return ("ok", None) if outage is None else (outage.state, outage.reason)

    def notices(self, kind: str = "source_state") -> list[dict[str, Any]]:
        return [n for n in self.all_notices() if n["kind"] == kind]

    def all_notices(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(outbox.c.kind, outbox.c.payload, outbox.c.channel).order_by(outbox.c.id)
                ).mappings()
            ]


@pytest.fixture
def world(engine: Engine) -> World:
    """On SQLite and PostgreSQL (tests/conftest.py)."""
    return World(engine)


GOOD = (FIXTURES / "weibo_keyword.json").read_bytes()
EMPTY_CASE = ("weibo_empty.json", 200, "blocked", "empty results")


@pytest.mark.parametrize(("name", "status", "state", "reason"), [*CASES, EMPTY_CASE])
def test_fixture_state_one_notice_and_the_gap(
    world: World, name: str, status: int, state: str, reason: str
) -> None:
    body = (FIXTURES / name).read_bytes()
    world.crawl(200, GOOD, T0)
    assert world.state() == ("ok", None)
    assert world.notices() == []
    world.crawl(status, body, T0 + STEP)  # 14:30
    assert world.state() == (state, reason)
    world.crawl(status, body, T0 + 2 * STEP)  # polled again, still blocked: no second notice
    world.crawl(status, body, T0 + 3 * STEP)
    notices = world.notices()
    assert len(notices) == 1 and notices[0]["channel"] == "ops"
    label = f"{state.replace('_', ' ')} ({reason})"
    assert label in notices[0]["payload"]["text"] and "微博" in notices[0]["payload"]["title"]
    world.crawl(200, GOOD, T0 + 5 * STEP)  # 16:30 back
    assert world.state() == ("ok", None)
    notices = world.notices()
    assert len(notices) == 2 and "恢复" in notices[1]["payload"]["title"]
    with world.engine.connect() as conn:
        outages = outages_repo.outages_between(conn, T0, T0 + 6 * STEP)
    periods = [(o.started_at, o.ended_at) for o in outages]
    assert periods == [(T0 + STEP, T0 + 5 * STEP)]
    share = brand_share({world.source_id: periods}, [world.source_id], T0, T0 + 6 * STEP, T0 + 6 * STEP)
    assert share == pytest.approx(2 / 6)
    (gap,) = gaps({"微博": periods}, T0, T0 + 6 * STEP, T0 + 6 * STEP)
    assert describe(gap) == "微博 未覆盖 14:30–16:30"


def test_empty_result_of_a_new_source_is_not_blocked(world: World) -> None:
    world.crawl(200, (FIXTURES / "weibo_empty.json").read_bytes(), T0)
    assert world.state() == ("ok", None)


def test_a_state_change_while_blind_is_news_too(world: World) -> None:
    world.crawl(200, GOOD, T0)
    world.crawl(200, (FIXTURES / "weibo_api_login.json").read_bytes(), T0 + STEP)
    world.crawl(503, (FIXTURES / "rsshub_cookie_expired.html").read_bytes(), T0 + 2 * STEP)
    assert world.state() == ("needs_config", "cookie expired")
    assert len(world.notices()) == 2


def test_platform_counts_reach_the_mention(world: World) -> None:
    world.crawl(200, GOOD, T0)
    from monitor.storage.schema import mentions

    with world.engine.connect() as conn:
        row = conn.execute(
            select(
                mentions.c.author,
                mentions.c.followers,
                mentions.c.reposts,
                mentions.c.comments,
                mentions.c.likes,
            ).where(mentions.c.url == "https://weibo.com/1234567890/PaBcDeFgH")
        ).one()
    assert tuple(row) == ("探店博主小米", 253000, 1830, 642, 9120)


def test_a_brand_with_no_live_source_is_an_operator_alert_once(world: World) -> None:
    world.crawl(200, GOOD, T0)
    login = (FIXTURES / "weibo_api_login.json").read_bytes()
    for step in (1, 2, 3):
        world.crawl(200, login, T0 + step * STEP)
    blind = world.notices("brand_blind")
    assert len(blind) == 1 and "云朵奶茶" in blind[0]["payload"]["title"]
    world.crawl(200, GOOD, T0 + 4 * STEP)
    world.crawl(200, GOOD, T0 + 5 * STEP)
    assert [n["payload"]["title"] for n in world.notices("brand_blind")][1].startswith("【品牌恢复】")
    assert len(world.notices("brand_blind")) == 2


def test_daemon_down_is_a_blind_window_for_every_source(world: World) -> None:
    from monitor.platforms.watch import note_daemon_gap

    with world.engine.begin() as conn:
        assert note_daemon_gap(conn, T0, tick_s=15) == 0  # first tick ever: nothing to compare
        assert note_daemon_gap(conn, T0 + timedelta(minutes=4), tick_s=15) == 0  # ordinary pause
        assert note_daemon_gap(conn, T0 + timedelta(hours=3), tick_s=15) == 1
    with world.engine.connect() as conn:
        (outage,) = outages_repo.outages_between(conn, T0, T0 + timedelta(hours=4))
    assert (outage.state, outage.started_at, outage.ended_at) == (
        "daemon_down",
        T0 + timedelta(minutes=4),
        T0 + timedelta(hours=3),
    )


def test_metrics_show_the_state_and_coverage(world: World) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from monitor.web.metrics import render_metrics

    world.crawl(200, GOOD, T0)
    world.crawl(200, (FIXTURES / "weibo_api_login.json").read_bytes(), T0 + STEP)
    families = {
        f.name: f
        for f in text_string_to_metric_families(render_metrics(world.engine, T0 + 3 * STEP)[0].decode())
    }
    (state,) = families["brandguard_source_state"].samples
    assert (state.labels["state"], state.labels["reason"], state.value) == ("blocked", "login required", 1.0)
    (coverage,) = families["brandguard_source_coverage_24h"].samples
    assert 0.0 < coverage.value < 1.0


def test_brand_coverage_hour_by_hour(world: World) -> None:
    from monitor.platforms.status import brand_hourly
    from monitor.storage.sources_repo import list_sources

    world.crawl(200, GOOD, T0)
    world.crawl(200, (FIXTURES / "weibo_api_login.json").read_bytes(), T0 + STEP)  # 14:30 blind
    world.crawl(200, GOOD, T0 + 3 * STEP)  # 15:30 seen again
    with world.engine.connect() as conn:
        hours = brand_hourly(conn, list_sources(conn), "云朵奶茶", T0, T0 + 4 * STEP)
    assert [(h.start, round(h.share, 3)) for h in hours] == [(T0, 0.5), (T0 + 2 * STEP, 0.5)]
