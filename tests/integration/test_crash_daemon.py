"""kill -9 the daemon again and again while it crawls: afterwards no mention is missing or duplicated
and the database passes its integrity check.

Run as a script, this module is the daemon under test:
``python -m tests.integration.test_crash_daemon DB_URL CONFIG_JSON START_ISO TICKS``. It runs poll ticks on
a simulated clock (one due period per tick) so every tick crawls every feed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.config import config_from_dict
from monitor.crawl.pipeline import Score
from monitor.storage import schema
from monitor.storage.engine import open_database
from monitor.storage.integrity import check_integrity
from tests.integration.misbehaving_server import (
    MisbehavingServer,
    RecordedRequest,
    Responder,
    misbehaving_server,
)

pytestmark = pytest.mark.integration

FEEDS = 12
MAX_ITEMS = 30
INTERVAL_S = 600
KILLS = 4


def _growing_feed(server_hits: dict[str, int], path: str, n: int):  # type: ignore[no-untyped-def]
    """Each request shows a few more items, so every crawl has new mentions to store."""

    def route(request: RecordedRequest, out: Responder) -> None:
        shown = min(MAX_ITEMS, 3 + 4 * server_hits[path])
        items = "".join(
            f"<item><guid>f{n}-{i}</guid><title>云帆汽车 消息 {n}-{i}</title>"
            f"<link>http://example.com/{n}/{i}</link>"
            f"<description>云帆汽车 {'长文' * 200}</description></item>"
            for i in range(shown)
        )
        body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'
        out.pause(0.02)
        out.send(200, body.encode(), [("Content-Type", "application/rss+xml")])

    return route


def _no_model(texts: Sequence[str]) -> list[Score]:
    return [Score("neutral", 0.1, ()) for _ in texts]


def daemon_main(db_url: str, config_json: str, start_iso: str, ticks: int) -> None:
    from monitor.crawl.daemon import Daemon
    from monitor.crawl.steps import RealSteps

    config = config_from_dict(json.loads(config_json))
    engine = open_database(db_url)
    daemon = Daemon(engine, config, RealSteps(config, scorer=_no_model).steps(), claim_limit=7)
    start = datetime.fromisoformat(start_iso)
    daemon.sync_sources(start)
    for tick in range(ticks):
        daemon.poll_tick(start + tick * timedelta(seconds=INTERVAL_S + 61))
    engine.dispose()


def _spawn(
    db_url: str, config: dict[str, object], start: datetime, ticks: int, log: Path
) -> subprocess.Popen[str]:
    with log.open("a") as stderr:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.test_crash_daemon",
                db_url,
                json.dumps(config),
                start.isoformat(),
                str(ticks),
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
            cwd=Path(__file__).parents[2],
        )


def _mention_keys(db_url: str) -> list[tuple[str, str]]:
    engine = open_database(db_url)
    try:
        assert check_integrity(engine) == []
        with engine.connect() as conn:
            return [
                tuple(r) for r in conn.execute(select(schema.mentions.c.title, schema.mentions.c.dedup_key))
            ]
    finally:
        engine.dispose()


def _hits(server: MisbehavingServer) -> int:
    return sum(server.hits.values())


def test_kill_9_mid_crawl_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    log = tmp_path / "daemon.log"
    open_database(db_url).dispose()
    rng = random.Random(1234)
    hits: dict[str, int] = {}
    with misbehaving_server(standard=False) as server:
        hits = server.hits  # type: ignore[assignment]
        for n in range(FEEDS):
            server.route(f"/f{n}.xml", _growing_feed(hits, f"/f{n}.xml", n))
        config = {
            "daemon": {"allow_networks": ["127.0.0.0/8"], "max_concurrency": 6, "per_host_concurrency": 6},
            "brands": [{"name": "云帆汽车", "query": "云帆汽车"}],
            "sources": [
                {"name": f"f{n}", "kind": "rss", "url": server.url(f"/f{n}.xml"), "interval": INTERVAL_S}
                for n in range(FEEDS)
            ],
        }
        start = datetime.now(UTC).replace(microsecond=0)
        stored_before = 0
        for kill in range(KILLS):
            # Each incarnation starts a day later on the simulated clock: the dead one's claims have expired.
            proc = _spawn(db_url, config, start + timedelta(days=kill), ticks=50, log=log)
            target = _hits(server) + rng.randint(3, 40)
            deadline = time.monotonic() + 60
            while _hits(server) < target and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)  # waiting for the child's progress (requests), not for wall-clock time
            assert proc.poll() is None, f"daemon exited early: {log.read_text()[-2000:]}"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            keys = _mention_keys(db_url)
            assert len(keys) == len(set(keys)), "a mention was stored twice"
            assert len(keys) >= stored_before, "a committed mention disappeared"
            stored_before = len(keys)

        # A last incarnation runs to the end: everything the feeds ever listed ends up stored, once.
        final = _spawn(db_url, config, start + timedelta(days=KILLS), ticks=12, log=log)
        assert final.wait(timeout=120) == 0, log.read_text()[-2000:]

    keys = _mention_keys(db_url)
    titles = sorted(title for title, _ in keys)
    expected = sorted(f"云帆汽车 消息 {n}-{i}" for n in range(FEEDS) for i in range(MAX_ITEMS))
    assert titles == expected
    engine = open_database(db_url)
    with engine.connect() as conn:
        claimed = conn.execute(
            select(func.count()).where(schema.sources.c.claimed_by.is_not(None))
        ).scalar_one()
    engine.dispose()
    assert claimed == 0


if __name__ == "__main__":
    daemon_main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
