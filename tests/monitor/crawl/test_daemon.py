from __future__ import annotations

import asyncio
import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from monitor.config import config_from_dict
from monitor.crawl.daemon import AlertTicks, Daemon, make_worker_id, rebase_skewed_schedules
from monitor.crawl.pipeline import DueSource, Fetched

from .fakes import NOW, FakeWeb, add_source, mentions, ok, source_row


def _config(per_host: int = 2, total: int = 20):  # type: ignore[no-untyped-def]
    return config_from_dict({"daemon": {"max_concurrency": total, "per_host_concurrency": per_host}})


def test_worker_ids_differ_even_in_one_process() -> None:
    a, b = make_worker_id(), make_worker_id()
    assert a != b and a.count(":") == 2


@pytest.mark.parametrize(
    ("offset", "rebased"),
    [
        (timedelta(0), False),
        (-timedelta(minutes=30), False),
        (-timedelta(days=3), True),  # downtime: no burst of every missed check
        (timedelta(days=3), True),  # clock jumped back: do not sleep for three days
    ],
)
def test_skewed_schedules_are_replanned_from_now(
    sqlite_engine: Engine, offset: timedelta, rebased: bool
) -> None:
    sid = add_source(sqlite_engine, "a", next_check_at=NOW + offset)
    assert rebase_skewed_schedules(sqlite_engine, NOW, random.Random(1)) == int(rebased)
    got = source_row(sqlite_engine, sid)["next_check_at"]
    if rebased:
        assert NOW <= got.replace(tzinfo=NOW.tzinfo) <= NOW + timedelta(seconds=960)


def test_a_tick_claims_crawls_releases_and_hands_over_to_the_policy(sqlite_engine: Engine) -> None:
    web = FakeWeb()
    for name in ("a", "b", "c"):
        web.serve(f"http://feeds.example/{name}.xml", ok(f"云帆汽车 {name} 新闻"))
        add_source(sqlite_engine, name)
    add_source(sqlite_engine, "later", next_check_at=NOW + timedelta(minutes=5))
    web.serve("http://feeds.example/later.xml", ok("云帆汽车 later"))
    daemon = Daemon(sqlite_engine, _config(), web.steps(), rng=random.Random(2))
    report = daemon.poll_tick(NOW)
    assert sorted(r.name for r in report.results) == ["a", "b", "c"]
    assert len(mentions(sqlite_engine)) == 3
    assert all(source_row(sqlite_engine, i)["claimed_by"] is None for i in (1, 2, 3, 4))


def test_global_and_per_host_limits_hold(sqlite_engine: Engine) -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}
    total = {"now": 0, "peak": 0}

    class SlowWeb(FakeWeb):
        async def fetch(self, source: DueSource) -> Fetched:
            host = source.url.split("/")[2]
            in_flight[host] = in_flight.get(host, 0) + 1
            total["now"] += 1
            peak[host] = max(peak.get(host, 0), in_flight[host])
            total["peak"] = max(total["peak"], total["now"])
            await asyncio.sleep(0.01)
            in_flight[host] -= 1
            total["now"] -= 1
            return Fetched("not_modified")

    web = SlowWeb()
    for i in range(24):
        add_source(sqlite_engine, f"s{i}", url=f"http://host{i % 3}.example/{i}.xml")
    daemon = Daemon(sqlite_engine, _config(per_host=2, total=5), web.steps(), rng=random.Random(3))
    report = daemon.poll_tick(NOW)
    assert len(report.results) == 24
    assert max(peak.values()) == 2
    assert total["peak"] == 5


def test_stop_abandons_in_flight_crawls_and_releases_claims(sqlite_engine: Engine) -> None:
    started = threading.Event()

    class HangingWeb(FakeWeb):
        async def fetch(self, source: DueSource) -> Fetched:
            started.set()
            await asyncio.sleep(3600)
            raise AssertionError("unreachable")

    web = HangingWeb()
    for i in range(3):
        add_source(sqlite_engine, f"s{i}")
    daemon = Daemon(sqlite_engine, _config(), web.steps(), rng=random.Random(4), stop_grace_s=0.1)
    threading.Thread(target=lambda: (started.wait(5), daemon.stop()), daemon=True).start()
    report = daemon.poll_tick(NOW)
    assert report.results == []
    rows = [source_row(sqlite_engine, i) for i in (1, 2, 3)]
    assert all(r["claimed_by"] is None for r in rows)
    assert all(r["fetch_count"] == 0 for r in rows)  # nothing half-recorded


def test_a_tick_claims_no_more_than_its_free_slots(sqlite_engine: Engine) -> None:
    """Fair sharing: a daemon with two slots holds at most two claims at any moment, however much is due."""
    held: list[int] = []

    class CountingWeb(FakeWeb):
        async def fetch(self, source: DueSource) -> Fetched:
            held.append(_claimed_count(sqlite_engine))
            await asyncio.sleep(0.001)
            return Fetched("not_modified")

    for i in range(25):
        add_source(sqlite_engine, f"s{i}", url=f"http://h{i}.example/f.xml")
    daemon = Daemon(sqlite_engine, _config(per_host=2, total=2), CountingWeb().steps(), rng=random.Random(5))
    assert len(daemon.poll_tick(NOW).results) == 25  # the tick keeps claiming while work is due
    assert max(held) == 2
    assert _claimed_count(sqlite_engine) == 0


def test_claim_limit_caps_one_tick(sqlite_engine: Engine) -> None:
    web = FakeWeb()
    for i in range(7):
        add_source(sqlite_engine, f"s{i}", url=f"http://h{i}.example/f.xml")
        web.serve(f"http://h{i}.example/f.xml", Fetched("not_modified"))
    daemon = Daemon(sqlite_engine, _config(total=2), web.steps(), rng=random.Random(6), claim_limit=5)
    assert len(daemon.poll_tick(NOW).results) == 5
    assert len(daemon.poll_tick(NOW).results) == 2


def test_claiming_pauses_while_mentions_pile_up_for_the_policy(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import monitor.crawl.daemon as daemon_module

    monkeypatch.setattr(daemon_module, "MAX_PENDING_MENTIONS", 2)
    web = FakeWeb()
    for name in ("a", "b", "c"):
        web.serve(f"http://feeds.example/{name}.xml", ok(f"云帆汽车 {name} 新闻"))
        add_source(sqlite_engine, name, baseline_done=True)
    daemon = Daemon(sqlite_engine, _config(total=1), web.steps(), rng=random.Random(7))
    monkeypatch.setattr(daemon, "run_policy", lambda now: 0)  # a stalled policy: mentions stay pending
    assert daemon.backlog_full() is None
    assert len(daemon.poll_tick(NOW).results) == 2  # two pending mentions reach the bound
    reason = daemon.backlog_full()
    assert reason is not None and "2 mentions wait for the alert policy" in reason
    assert daemon.poll_tick(NOW).results == []  # paused: the third source waits, unclaimed
    assert _claimed_count(sqlite_engine) == 0


def _claimed_count(engine: Engine) -> int:
    from sqlalchemy import func, select

    from monitor.storage import schema

    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).where(schema.sources.c.claimed_by.is_not(None))).scalar_one()
        )


def test_the_alert_ticks_are_the_ones_passed_in(sqlite_engine: Engine) -> None:
    # The incidents wing sits on the crawl's floor, so the daemon is handed its entry points.
    calls: list[tuple[str, object]] = []

    def policy(engine: Engine, config: object, now: object) -> int:
        calls.append(("policy", len(mentions(engine))))  # runs after this tick's mentions are stored
        return 7

    def deadlines(engine: Engine, config: object, now: object) -> int:
        calls.append(("deadlines", now))
        return 2

    def outbox(engine: Engine, config: object, now: object, *, transport: object = None) -> int:
        calls.append(("outbox", transport))
        return 3

    web = FakeWeb()
    web.serve("http://feeds.example/a.xml", ok("云帆汽车 a 新闻"))
    add_source(sqlite_engine, "a")
    alerting = AlertTicks(policy=policy, deadlines=deadlines, outbox=outbox)
    daemon = Daemon(sqlite_engine, _config(), web.steps(), rng=random.Random(6), alerting=alerting)
    assert daemon.poll_tick(NOW).policy == 7
    assert (daemon.deadline_tick(NOW), daemon.outbox_tick(NOW, transport="t")) == (2, 3)
    assert calls == [("policy", 1), ("deadlines", NOW), ("outbox", "t")]
    bare = Daemon(sqlite_engine, _config(), web.steps(), rng=random.Random(6))
    assert (bare.poll_tick(NOW).policy, bare.deadline_tick(NOW), bare.outbox_tick(NOW)) == (0, 0, 0)
