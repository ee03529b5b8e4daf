"""Several daemon processes on one PostgreSQL database share the sources: each feed is fetched exactly
once per due period, and every item is stored exactly once.

Run as a script, this module is one worker: ``python -m tests.integration.test_daemon_multi URL CONFIG NOW``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.config import Config, config_from_dict
from monitor.crawl.pipeline import Score
from monitor.storage import schema
from tests.integration.misbehaving_server import RecordedRequest, Responder, misbehaving_server

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

FEEDS = 40
ITEMS = 3
WORKERS = 3
INTERVAL_S = 600


def _feed(n: int) -> bytes:
    items = "".join(
        f"<item><guid>f{n}-{i}</guid><title>云帆汽车 新闻 {n}-{i}</title><link>http://example.com/{n}/{i}</link>"
        f"<pubDate>Tue, 10 Jun 2025 08:0{i}:00 +0800</pubDate>"
        f"<description>云帆汽车 第{n}号源 第{i}条</description></item>"
        for i in range(ITEMS)
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
    return f"{head}<channel><title>f{n}</title>{items}</channel></rss>".encode()


def _slow_feed(body: bytes):  # type: ignore[no-untyped-def]
    def route(request: RecordedRequest, out: Responder) -> None:
        out.pause(0.05)  # keep crawls in flight long enough for the workers to overlap
        out.send(200, body, [("Content-Type", "application/rss+xml")])

    return route


def _config_dict(base_url: str, db_url: str) -> dict[str, object]:
    return {
        "storage": {"url": db_url},
        "daemon": {"allow_networks": ["127.0.0.0/8"], "max_concurrency": 8, "per_host_concurrency": 8},
        "brands": [{"name": "云帆汽车", "query": "云帆汽车"}],
        "sources": [
            {"name": f"feed{n}", "kind": "rss", "url": f"{base_url}/feed{n}.xml", "interval": INTERVAL_S}
            for n in range(FEEDS)
        ],
    }


def _no_model(texts: Sequence[str]) -> list[Score]:
    return [Score("neutral", 0.1, ()) for _ in texts]


def worker(db_url: str, config_json: str, periods: str, ticks: int) -> None:
    from monitor.crawl.daemon import Daemon
    from monitor.crawl.steps import RealSteps
    from monitor.storage.engine import open_database

    config: Config = config_from_dict(json.loads(config_json))
    engine = open_database(db_url, migrate=False)
    # A small claim batch makes the workers interleave instead of one claiming everything.
    daemon = Daemon(engine, config, RealSteps(config, scorer=_no_model).steps(), claim_limit=5)
    # Every worker syncs the config at start, as `brandguard run` does: they race on the inserts.
    daemon.sync_sources(datetime.fromisoformat(periods.split(",")[0]))
    for now_iso in periods.split(","):
        now = datetime.fromisoformat(now_iso)
        for _ in range(ticks):
            report = daemon.poll_tick(now)
            crawled = [r.name for r in report.results]
            print(json.dumps({"worker": daemon.worker_id, "period": now_iso, "crawled": crawled}), flush=True)
    engine.dispose()


def _run_workers(db_url: str, config: dict[str, object], periods: list[datetime]) -> list[dict[str, Any]]:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.test_daemon_multi",
                db_url,
                json.dumps(config),
                ",".join(p.isoformat() for p in periods),
                "6",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        for _ in range(WORKERS)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        reports += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return reports


def test_several_daemons_share_sources_without_double_fetching(pg_url: str) -> None:
    from monitor.storage.engine import open_database

    routes = {f"/feed{n}.xml": _slow_feed(_feed(n)) for n in range(FEEDS)}
    with misbehaving_server(routes, standard=False) as server:
        config = _config_dict(server.base_url, pg_url)
        engine = open_database(pg_url)
        try:
            now = datetime.now(UTC).replace(microsecond=0)
            started = time.monotonic()
            # Two due periods: the next one starts once every feed's interval (+ jitter) has passed.
            periods = [now, now + timedelta(seconds=INTERVAL_S + 61)]
            reports = _run_workers(pg_url, config, periods)
            crawls = Counter((r["period"], name) for r in reports for name in r["crawled"])
            expected = {(p.isoformat(), f"feed{n}") for p in periods for n in range(FEEDS)}
            assert set(crawls) == expected
            assert max(crawls.values()) == 1, [k for k, v in crawls.items() if v > 1]
            assert all(server.hits[f"/feed{n}.xml"] == 2 for n in range(FEEDS)), dict(server.hits)
            assert len({r["worker"] for r in reports if r["crawled"]}) >= 2, "the work was not shared"
            assert time.monotonic() - started < 60

            with engine.connect() as conn:
                total = conn.execute(select(func.count()).select_from(schema.mentions)).scalar_one()
                claimed = conn.execute(
                    select(func.count()).where(schema.sources.c.claimed_by.is_not(None))
                ).scalar_one()
            assert total == FEEDS * ITEMS
            assert claimed == 0
        finally:
            engine.dispose()


if __name__ == "__main__":
    worker(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
