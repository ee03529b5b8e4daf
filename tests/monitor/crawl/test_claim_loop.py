"""The claim loop alone, with fake claims: capacity, refills, heartbeat, claim window, stop."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from sqlalchemy.engine import Engine

from monitor.crawl.claim_loop import ClaimLoop
from monitor.crawl.pipeline import CrawlResult, DueSource
from monitor.storage.sources_repo import claim_due_sources, renew_claims

from .fakes import NOW, add_source, source_row


def _source(n: int) -> DueSource:
    return DueSource(n, f"s{n}", "rss", f"http://h.example/{n}", 900, "Asia/Shanghai", ())


class FakeQueue:
    def __init__(self, due: int) -> None:
        self.due = list(range(due))
        self.asks: list[int] = []
        self.inflight = 0
        self.peak = 0

    def claim(self, n: int) -> list[DueSource]:
        self.asks.append(n)
        batch, self.due = self.due[:n], self.due[n:]
        return [_source(i) for i in batch]

    async def crawl(self, source: DueSource) -> CrawlResult:
        self.inflight += 1
        self.peak = max(self.peak, self.inflight)
        await asyncio.sleep(0.002)
        self.inflight -= 1
        return CrawlResult(source.id, source.name, "ok")


def _loop(queue: FakeQueue, **kwargs: object) -> ClaimLoop:
    args: dict[str, object] = {
        "claim": queue.claim,
        "crawl": queue.crawl,
        "renew": lambda: 0,
        "backlog_full": lambda: None,
        "capacity": 4,
        "stop": threading.Event(),
    }
    args.update(kwargs)
    return ClaimLoop(**args)  # type: ignore[arg-type]


def test_claims_refill_free_slots_until_nothing_is_due() -> None:
    queue = FakeQueue(30)
    results = asyncio.run(_loop(queue).run())
    assert sorted(r.source_id for r in results) == list(range(30))
    assert queue.peak <= 4
    assert all(n <= 4 for n in queue.asks) and queue.asks[0] == 4


def test_the_claim_window_ends_a_long_tick() -> None:
    ticks = iter(range(1000))
    queue = FakeQueue(30)
    loop = _loop(queue, window_s=2, clock=lambda: float(next(ticks)))
    results = asyncio.run(loop.run())
    assert 0 < len(results) < 30  # the rest is left due for the next tick, unclaimed
    assert len(results) == loop.claimed


def test_back_pressure_stops_claiming_and_says_why() -> None:
    queue = FakeQueue(10)
    loop = _loop(queue, backlog_full=lambda: "9 notifications wait in the outbox (bound 5)")
    assert asyncio.run(loop.run()) == []
    assert queue.asks == [] and loop.paused is not None


def test_the_heartbeat_renews_while_crawls_run() -> None:
    beats: list[int] = []

    async def slow(source: DueSource) -> CrawlResult:
        await asyncio.sleep(0.2)
        return CrawlResult(source.id, source.name, "ok")

    queue = FakeQueue(2)
    loop = _loop(queue, crawl=slow, renew=lambda: beats.append(1) or 1, heartbeat_s=0.02)
    assert len(asyncio.run(loop.run())) == 2
    assert len(beats) >= 3


def test_renewal_extends_only_our_leases(sqlite_engine: Engine) -> None:
    ours = add_source(sqlite_engine, "ours")
    theirs = add_source(sqlite_engine, "theirs")
    claim_due_sources(sqlite_engine, worker_id="me", now=NOW, limit=1, lease_s=30)
    claim_due_sources(sqlite_engine, worker_id="other", now=NOW, limit=1, lease_s=30)
    later = NOW + timedelta(seconds=70)
    assert renew_claims(sqlite_engine, worker_id="me", until=later) == 1
    assert source_row(sqlite_engine, ours)["claimed_until"].replace(tzinfo=NOW.tzinfo) == later
    # The other worker stopped renewing (killed): its source is claimable once its lease ran out.
    expired = NOW + timedelta(seconds=31)
    taken = claim_due_sources(sqlite_engine, worker_id="me", now=expired, limit=5, lease_s=30)
    assert [row.id for row in taken] == [theirs]
