"""The daemon against a server that misbehaves on purpose: each source ends in the right state, and its
next check always moves forward (never stuck in the past, never hammering)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor.config import Config, config_from_dict
from monitor.crawl.daemon import Daemon
from monitor.crawl.pipeline import Score
from monitor.crawl.steps import RealSteps
from monitor.storage import schema
from monitor.storage.engine import open_database
from monitor.storage.sources_repo import SourceRow, list_sources
from tests.integration.misbehaving_server import MisbehavingServer, misbehaving_server, retry_after, static

pytestmark = pytest.mark.integration

INTERVAL_S = 3600
BRAND_RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>汽车</title>'
    "<item><guid>a1</guid><title>云帆汽车 新车上市</title><link>http://example.com/a1</link>"
    "<pubDate>Tue, 10 Jun 2025 08:00:00 +0800</pubDate><description>云帆汽车发布新款</description></item>"
    "</channel></rss>"
).encode()
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b"<rss><channel><item><title>&b;&b;&b;</title></item></channel></rss>"
)
MALFORMED = b'<?xml version="1.0"?><rss><channel><item><title>broken</titl></item><item>'
HTML_AS_FEED = b"<!doctype html><html><head><title>login</title></head><body>please log in</body></html>"


@dataclass(frozen=True)
class Case:
    path: str
    health: str  # ok | error | retry_later
    error: str = ""  # substring of last_error ("a|b": either)
    min_delay_s: float = 5
    max_delay_s: float = INTERVAL_S + 60


CASES = [
    Case("/ok", "ok", min_delay_s=INTERVAL_S),
    Case("/brand", "ok", min_delay_s=INTERVAL_S),
    Case("/unchanged", "ok", min_delay_s=INTERVAL_S),
    Case("/slow-headers", "error", "deadline"),
    Case("/slow-body", "error", "deadline"),
    Case("/hang", "error", "deadline"),
    Case("/status/500", "error", "500"),
    Case("/status/404", "error", "404"),
    Case("/retry-seconds", "retry_later", "503", INTERVAL_S, INTERVAL_S),  # 120 s < our interval
    Case("/retry-long", "retry_later", "429", 7200, 7200),
    Case("/retry-garbage", "retry_later", "503", INTERVAL_S, INTERVAL_S),
    Case("/redirect-loop", "error", "redirect"),
    Case("/redirect-metadata", "error", "169.254.169.254"),
    Case("/redirect-private", "error", "10.0.0.1"),
    Case("/oversize", "error", "exceeds"),
    Case("/oversize-chunked", "error", "exceeds"),
    Case("/lying-length", "error", ""),
    Case("/gzip-bomb", "error", "exceeds|deadline"),  # deadline when the CPU is busy
    Case("/empty", "error", "parse"),
    Case("/entity-bomb", "error", "parse"),
    Case("/malformed", "error", "parse"),
    Case("/html-as-feed", "error", "parse"),
]


def _no_model(texts: Sequence[str]) -> list[Score]:
    return [Score(None, None, ()) for _ in texts]


def _config(server: MisbehavingServer, cases: Sequence[Case] = CASES) -> Config:
    return config_from_dict(
        {
            "daemon": {
                "fetch_deadline_s": 3,
                "max_body_mb": 1,
                "max_concurrency": 50,
                "per_host_concurrency": 50,
                "allow_networks": ["127.0.0.0/8"],
            },
            "brands": [{"name": "云帆汽车", "query": "云帆汽车"}],
            "sources": [
                {"name": case.path, "kind": "rss", "url": server.url(case.path), "interval": INTERVAL_S}
                for case in cases
            ],
        }
    )


@pytest.fixture
def server() -> Iterator[MisbehavingServer]:
    routes = {
        "/brand": static(BRAND_RSS),
        "/unchanged": static(BRAND_RSS.replace(b"a1", b"u1")),
        "/retry-long": retry_after("7200", code=429),
        "/entity-bomb": static(ENTITY_BOMB),
        "/malformed": static(MALFORMED),
        "/html-as-feed": static(HTML_AS_FEED, content_type="text/html"),
    }
    with misbehaving_server(routes) as srv:
        yield srv


def _states(engine: Engine) -> dict[str, SourceRow]:
    with engine.connect() as conn:
        return {row.name: row for row in list_sources(conn)}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = open_database(f"sqlite:///{tmp_path / 'daemon.db'}")
    yield eng
    eng.dispose()


def test_each_misbehaviour_is_recorded_and_the_schedule_moves_on(
    server: MisbehavingServer, engine: Engine
) -> None:
    config = _config(server)
    daemon = Daemon(engine, config, RealSteps(config, scorer=_no_model).steps(), rng=random.Random(1))
    now = datetime.now(UTC)
    daemon.sync_sources(now)
    report = daemon.poll_tick(now)
    assert len(report.results) == len(CASES)

    states = _states(engine)
    problems = []
    for case in CASES:
        row = states[case.path]
        delay = (row.next_check_at - now).total_seconds()
        health = "error" if row.consecutive_errors else ("retry_later" if row.last_error else "ok")
        if health != case.health:
            problems.append(f"{case.path}: health {health} ({row.last_error}), expected {case.health}")
        if case.error and not any(part in (row.last_error or "") for part in case.error.split("|")):
            problems.append(f"{case.path}: last_error {row.last_error!r} lacks {case.error!r}")
        if not case.min_delay_s <= delay <= case.max_delay_s:
            problems.append(
                f"{case.path}: next check in {delay:.0f} s, expected {case.min_delay_s}..{case.max_delay_s}"
            )
        if row.claimed_by is not None or row.disabled_at is not None:
            problems.append(f"{case.path}: still claimed or disabled")
    assert problems == [], "\n".join(problems)

    with engine.connect() as conn:
        stored = conn.execute(select(schema.mentions.c.brand, schema.mentions.c.baseline)).all()
    assert sorted(stored) == [("云帆汽车", True), ("云帆汽车", True)]  # first fetch: baseline

    # Second round, after every backoff and Retry-After has passed: 304 and unchanged bodies are cheap
    # successes, and the validators we stored were sent back.
    # (less than two intervals after the first errors, so no source is re-planned as "overdue")
    later = now + timedelta(seconds=7201)
    second = {r.name: r for r in daemon.poll_tick(later).results}
    assert second["/ok"].outcome == "not_modified"
    assert second["/unchanged"].outcome == "unchanged"
    ok_requests = [r for r in server.requests if r.path == "/ok"]
    assert ok_requests[-1].headers.get("if-none-match") == '"v1"'
    states = _states(engine)
    assert states["/status/500"].consecutive_errors == 2
    assert states["/retry-long"].consecutive_errors == 0  # Retry-After is not breakage
    assert all(row.next_check_at > later for row in states.values())


def test_a_source_failing_for_24_hours_is_disabled_and_audited(
    server: MisbehavingServer, engine: Engine
) -> None:
    config = _config(server, [Case("/status/500", "error")])
    daemon = Daemon(engine, config, RealSteps(config, scorer=_no_model).steps(), rng=random.Random(2))
    start = datetime.now(UTC)
    daemon.sync_sources(start)
    now = start
    for _ in range(30):  # hourly attempts (the backoff cap) for a bit more than a day
        daemon.poll_tick(now)
        row = _states(engine)["/status/500"]
        if row.disabled_at is not None:
            break
        now = max(now + timedelta(hours=1), row.next_check_at)
    assert row.disabled_at is not None and now - start >= timedelta(hours=24)
    assert "500" in (row.disabled_reason or "")
    with engine.connect() as conn:
        kinds = conn.execute(
            select(schema.audit_log.c.kind, schema.audit_log.c.subject).where(
                schema.audit_log.c.kind == "source.disabled"
            )
        ).all()
    assert ("source.disabled", "/status/500") in kinds
