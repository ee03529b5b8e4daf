"""Fair sharing of due sources between daemons: claim only what free capacity allows, keep leases alive.

A daemon used to claim ``max_concurrency x 10`` sources at the start of a tick, so whichever daemon
ticked first took nearly everything (226 of 227 fetches with two daemons) and its claims carried a lease
long enough for the whole batch (~7 minutes after a kill -9). Here a tick is a loop:

1. claim at most as many due sources as there are free crawl slots (never more), oldest due first;
2. crawl them; each finished crawl frees a slot, and once a quarter of the slots are free, claim again;
3. stop claiming when nothing more is due, when the work queued behind the crawl (mentions waiting for
   the alert policy, outbox rows waiting to be sent) is over its bound, or after ``window_s`` so the
   alert policy and the latency figures run at least that often.

A slot is held from the claim to the commit of the source's mentions, so a slow database or a slow model
slows claiming instead of piling fetched bodies up in memory: that is the back-pressure. N daemons with
equal capacity each take about 1/N of the due sources, and each daemon's share follows its speed.

A claim is a short lease (``LEASE_S``) that a heartbeat renews while the daemon runs; a daemon killed with
-9 stops renewing, and its sources are claimable by the others at most ``LEASE_S`` later.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from monitor.crawl.pipeline import CrawlResult, DueSource

log = logging.getLogger(__name__)

# A killed daemon's sources wait at most this long (plus the others' next claim, a tick at most) before
# another daemon takes them: well inside the minute operators were promised.
LEASE_S = 30
# Renew three times per lease, so one slow renewal (a busy database) does not lose a live claim.
HEARTBEAT_S = 10.0
# Claim again once a quarter of the slots are free: fewer, larger claim transactions than one per
# finished crawl, and still never more claimed than this daemon can start right away.
REFILL_FRACTION = 0.25
# A tick stops claiming after this long, so new mentions reach the alert policy at least this often.
CLAIM_WINDOW_S = 30.0
# Back-pressure bounds: above these, a daemon stops claiming until the policy / the outbox catch up.
MAX_PENDING_MENTIONS = 5000
MAX_PENDING_OUTBOX = 1000


@dataclass
class ClaimLoop:
    """One tick's worth of claiming and crawling; the callables hide the database from this module."""

    claim: Callable[[int], Sequence[DueSource]]  # (how many at most) -> claimed sources
    crawl: Callable[[DueSource], Coroutine[Any, Any, CrawlResult]]
    renew: Callable[[], int]  # extend this daemon's leases; returns rows renewed
    backlog_full: Callable[[], str | None]  # why claiming must pause now, or None
    capacity: int
    stop: threading.Event
    limit: int | None = None  # at most this many claims in this tick (None: as long as work is due)
    grace_s: float = 5.0
    window_s: float = CLAIM_WINDOW_S
    heartbeat_s: float = HEARTBEAT_S
    clock: Callable[[], float] = time.monotonic
    claimed: int = 0
    paused: str | None = None  # the back-pressure reason that ended claiming, if any
    results: list[CrawlResult] = field(default_factory=list)

    async def run(self) -> list[CrawlResult]:
        started = self.clock()
        refill = max(1, int(self.capacity * REFILL_FRACTION))
        inflight: set[asyncio.Task[CrawlResult]] = set()
        more = True
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            while not self.stop.is_set():
                free = self.capacity - len(inflight)
                if more and (free >= refill or not inflight):
                    more, batch = await self._claim_more(free, started)
                    inflight |= {asyncio.create_task(self.crawl(source)) for source in batch}
                if not inflight:
                    break
                # A short timeout, so a stop request is seen while every crawl is still waiting.
                done, inflight = await asyncio.wait(
                    inflight, timeout=0.2, return_when=asyncio.FIRST_COMPLETED
                )
                self._collect(done)
            if inflight:  # stopping: in-flight crawls get a grace period, then they are cancelled
                done, pending = await asyncio.wait(inflight, timeout=self.grace_s)
                self._collect(done)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
        return self.results

    async def _claim_more(self, free: int, started: float) -> tuple[bool, Sequence[DueSource]]:
        """Claim up to ``free`` sources; the flag is False when this tick should claim no more."""
        if self.clock() - started >= self.window_s:
            return False, ()
        want = free if self.limit is None else min(free, self.limit - self.claimed)
        if want <= 0:
            return False, ()
        reason = await asyncio.to_thread(self.backlog_full)
        if reason is not None:
            self.paused = reason
            log.warning("claiming paused: %s", reason, extra={"event": "poll.paused", "reason": reason})
            return False, ()
        batch = await asyncio.to_thread(self.claim, want)
        self.claimed += len(batch)
        # A short batch means nothing more is due now (or other daemons took it): done for this tick.
        return len(batch) == want, batch

    def _collect(self, done: set[asyncio.Task[CrawlResult]]) -> None:
        for task in done:
            if task.cancelled():
                continue
            error = task.exception()
            if error is None:
                self.results.append(task.result())
            else:  # one broken source must not take the tick down
                log.error("crawl crashed", exc_info=error)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            try:
                await asyncio.to_thread(self.renew)
            except Exception:  # the next beat retries; a lease lost meanwhile only costs a repeat fetch
                log.exception("claim lease renewal failed")
