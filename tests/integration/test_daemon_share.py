"""Three daemon processes on one PostgreSQL database share 300 sources fairly, and take over a killed one's.

* ``test_three_daemons_share_every_interval``: on a simulated clock, two due periods; every source is
  fetched exactly once per period, each daemon does 20-45% of the fetches, each incident is notified
  exactly once although all three run the outbox.
* ``test_a_killed_daemons_sources_are_resumed_within_a_minute``: real clock, ``Daemon.run_forever`` in each
  process; one is killed with -9 while it holds claims, and the others fetch every source it held within
  60 s (the bound is LEASE_S + one poll tick; measured and printed).

Run as a script, this module is one worker: ``python -m tests.integration.test_daemon_share MODE ...``.
"""

from __future__ import annotations

import json
import os
import signal
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

from monitor.config import config_from_dict
from monitor.crawl.claim_loop import HEARTBEAT_S, LEASE_S
from monitor.crawl.pipeline import Score
from monitor.demo.webhook_receiver import WebhookReceiver
from monitor.storage import schema
from tests.integration.misbehaving_server import (
    MisbehavingServer,
    RecordedRequest,
    Responder,
    misbehaving_server,
)

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

FEEDS = 300
WORKERS = 3
INTERVAL_S = 600
BRAND = "云帆汽车"


def _feed_route(server_hits: Any, path: str, n: int, pause_s: float):  # type: ignore[no-untyped-def]
    """Two items; from the second fetch on, every 50th feed also carries a complaint (an incident)."""

    def route(request: RecordedRequest, out: Responder) -> None:
        items = [f"<item><guid>f{n}-{i}</guid><title>{BRAND} 新闻 {n}-{i}</title></item>" for i in range(2)]
        if server_hits[path] > 1 and n % 50 == 0:
            body = f"{BRAND} 投诉 第{n}号 " + "退款迟迟不到账，客服也不回复，" * (n // 50 + 1)
            items.append(
                f"<item><guid>f{n}-bad</guid><title>{BRAND} 投诉 {n}</title>"
                f"<description>{body}</description></item>"
            )
        xml = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        xml += "".join(items) + "</channel></rss>"
        out.pause(pause_s)  # the bottleneck is waiting, as with real sites
        out.send(200, xml.encode(), [("Content-Type", "application/rss+xml")])

    return route


def _serve(server: MisbehavingServer, pause_s: float) -> None:
    for n in range(FEEDS):
        path = f"/feed{n}.xml"
        server.route(path, _feed_route(server.hits, path, n, pause_s))


def _config(base_url: str, db_url: str, hook_url: str | None, poll_tick_s: int = 15) -> dict[str, Any]:
    config: dict[str, Any] = {
        "storage": {"url": db_url},
        "daemon": {
            "allow_networks": ["127.0.0.0/8"],
            "max_concurrency": 8,
            "per_host_concurrency": 8,
            "poll_tick_s": poll_tick_s,
        },
        "brands": [{"name": BRAND, "query": BRAND}],
        "sources": [
            {"name": f"feed{n}", "kind": "rss", "url": f"{base_url}/feed{n}.xml", "interval": INTERVAL_S}
            for n in range(FEEDS)
        ],
    }
    if hook_url:
        config["channels"] = [{"name": "pr", "kind": "webhook", "url": hook_url, "rate_per_minute": 1000}]
        config["routes"] = [{"channels": ["pr"]}]
    return config


def _score(texts: Sequence[str]) -> list[Score]:
    return [Score("negative", 0.95, ("投诉",)) if "投诉" in t else Score("neutral", 0.1, ()) for t in texts]


def _daemon(db_url: str, config_json: str) -> Any:
    from monitor.crawl.daemon import AlertTicks, Daemon
    from monitor.crawl.steps import RealSteps
    from monitor.incidents import deliver_due, process_pending_mentions, tick_deadlines
    from monitor.storage.engine import open_database

    config = config_from_dict(json.loads(config_json))
    engine = open_database(db_url, migrate=False)
    # As `brandguard run` builds it: the alert path is handed to the daemon.
    alerting = AlertTicks(policy=process_pending_mentions, deadlines=tick_deadlines, outbox=deliver_due)
    return Daemon(engine, config, RealSteps(config, scorer=_score).steps(), alerting=alerting)


def simulated_worker(db_url: str, config_json: str, periods: str) -> None:
    """Wait for "go" on stdin (all workers start together), then poll each period until nothing is due."""
    daemon = _daemon(db_url, config_json)
    daemon.sync_sources(datetime.fromisoformat(periods.split(",")[0]))
    print("ready", flush=True)
    sys.stdin.readline()
    for now_iso in periods.split(","):
        now = datetime.fromisoformat(now_iso)
        while True:
            report = daemon.poll_tick(now)
            if not report.results:
                break
            crawled = [r.name for r in report.results]
            print(json.dumps({"worker": daemon.worker_id, "period": now_iso, "crawled": crawled}), flush=True)
        daemon.outbox_tick(now)
    daemon.engine.dispose()


def forever_worker(db_url: str, config_json: str) -> None:
    """The real daemon loop (APScheduler ticks, heartbeat, signals); announces its id, then runs."""
    daemon = _daemon(db_url, config_json)
    print(json.dumps({"worker": daemon.worker_id}), flush=True)
    daemon.run_forever()


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.test_daemon_share", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )


def test_three_daemons_share_every_interval(pg_url: str) -> None:
    from monitor.storage.engine import open_database

    receiver = WebhookReceiver().start()
    with misbehaving_server({}, standard=False) as server:
        _serve(server, pause_s=0.1)
        config = _config(server.base_url, pg_url, receiver.url)
        now = datetime.now(UTC).replace(microsecond=0)
        periods = [now, now + timedelta(seconds=INTERVAL_S + 61)]
        procs = [_spawn("simulated", pg_url, json.dumps(config), ",".join(p.isoformat() for p in periods))]
        procs += [
            _spawn("simulated", pg_url, json.dumps(config), ",".join(p.isoformat() for p in periods))
            for _ in range(WORKERS - 1)
        ]
        try:
            for proc in procs:  # every worker has imported everything and synced the config
                assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
            reports = []
            for proc in procs:
                out, err = proc.communicate(timeout=240)
                assert proc.returncode == 0, err[-3000:]
                reports += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        finally:
            for proc in procs:
                proc.kill()
            receiver.stop()

    crawls = Counter((r["period"], name) for r in reports for name in r["crawled"])
    expected = {(p.isoformat(), f"feed{n}") for p in periods for n in range(FEEDS)}
    assert set(crawls) == expected
    assert max(crawls.values()) == 1, [k for k, v in crawls.items() if v > 1]
    assert all(server.hits[f"/feed{n}.xml"] == 2 for n in range(FEEDS))
    shares = Counter(r["worker"] for r in reports for _ in r["crawled"])
    fractions = sorted(count / (2 * FEEDS) for count in shares.values())
    print("shares:", fractions)
    assert len(shares) == WORKERS and fractions[0] >= 0.20 and fractions[-1] <= 0.45, fractions

    engine = open_database(pg_url, migrate=False)
    try:
        with engine.connect() as conn:
            opened = conn.execute(select(func.count()).select_from(schema.incidents)).scalar_one()
            sent = conn.execute(select(func.count()).where(schema.outbox.c.status == "sent")).scalar_one()
    finally:
        engine.dispose()
    assert opened >= 1 and sent >= opened
    keys = [m.get("idempotency_key") for m in receiver.messages]
    assert len(keys) == sent and len(set(keys)) == len(keys), "a notification was sent twice"


def test_a_killed_daemons_sources_are_resumed_within_a_minute(pg_url: str) -> None:
    from monitor.storage.engine import open_database

    engine = open_database(pg_url, migrate=False)
    sources = schema.sources.c
    with misbehaving_server({}, standard=False) as server:
        # 300 sources x 1 s over 3 x 8 slots: a first pass of ~13 s, so the kill lands mid-pass.
        _serve(server, pause_s=1.0)
        config = json.dumps(_config(server.base_url, pg_url, None, poll_tick_s=5))
        procs = [_spawn("forever", pg_url, config) for _ in range(WORKERS)]
        try:
            ids = []
            for proc in procs:
                assert proc.stdout is not None
                ids.append(json.loads(proc.stdout.readline())["worker"])
            victim, victim_id = procs[0], ids[0]
            held: list[int] = []
            deadline = time.monotonic() + 90
            while not held and time.monotonic() < deadline:  # wait for the victim to hold claims
                with engine.connect() as conn:
                    held = list(
                        conn.execute(select(sources.id).where(sources.claimed_by == victim_id)).scalars()
                    )
                time.sleep(0.05)
            assert held, "the first daemon never claimed anything"
            os.kill(victim.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            victim.wait(10)
            with engine.connect() as conn:  # what it held at the moment it died
                held = list(conn.execute(select(sources.id).where(sources.claimed_by == victim_id)).scalars())

            resumed_s = None
            while time.monotonic() - killed_at < 90:
                with engine.connect() as conn:
                    done = conn.execute(
                        select(func.count()).where(
                            sources.id.in_(held), sources.fetch_count >= 1, sources.claimed_by.is_(None)
                        )
                    ).scalar_one()
                if done == len(held):
                    resumed_s = time.monotonic() - killed_at
                    break
                time.sleep(0.2)
            print(
                f"{len(held)} sources held by the killed daemon; the others fetched them after {resumed_s} s"
            )
            assert resumed_s is not None and resumed_s < 60, resumed_s
            # they waited for the lease (renewed every HEARTBEAT_S until the kill), they stole no live claim
            assert resumed_s >= LEASE_S - HEARTBEAT_S - 1

            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # the survivors finish the first pass
                with engine.connect() as conn:
                    left = conn.execute(select(func.count()).where(sources.fetch_count == 0)).scalar_one()
                if left == 0:
                    break
                time.sleep(0.2)
            assert left == 0
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            with engine.connect() as conn:
                mentions = conn.execute(select(func.count()).select_from(schema.mentions)).scalar_one()
            engine.dispose()
    # Nothing stored twice, nothing lost. A feed fetched a second time (in flight when its daemon died)
    # answers with its complaint item too when n % 50 == 0 (see _feed_route): one more mention each.
    refetched_with_complaint = sum(
        1 for n in range(FEEDS) if n % 50 == 0 and server.hits[f"/feed{n}.xml"] >= 2
    )
    assert mentions == FEEDS * 2 + refetched_with_complaint
    # a feed fetched twice was in flight when its daemon died; no feed was fetched three times
    assert max(server.hits[f"/feed{n}.xml"] for n in range(FEEDS)) <= 2
    assert sum(server.hits[f"/feed{n}.xml"] == 2 for n in range(FEEDS)) <= len(held)


if __name__ == "__main__":
    if sys.argv[1] == "simulated":
        simulated_worker(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        forever_worker(sys.argv[2], sys.argv[3])
