"""The long-running daemon: APScheduler 3 ticks, claiming due sources, concurrency limits, clean stop.

APScheduler only *ticks* (poll, deadlines, outbox); what is due lives in the ``sources`` table, so a
restart loses nothing and several daemons on one PostgreSQL database share the work by claiming rows
(FIELD-NOTES: two APScheduler processes on one job store are unsupported, so it keeps no job store).

Each poll tick: re-plan skewed schedules (no catch-up bursts), claim due sources, crawl them with
asyncio under a global and a per-host semaphore, then hand the new mentions to the alert policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import signal
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import and_, exc, select, update
from sqlalchemy.engine import Engine

from monitor.crawl import schedule
from monitor.crawl.latency import FETCH_LATENCY_KEY, from_state, observe, to_state
from monitor.crawl.pipeline import Crawler, CrawlResult, DueSource, Steps
from monitor.storage import schema
from monitor.storage.times import as_utc_required, to_db

if TYPE_CHECKING:
    from monitor.config import Config

log = logging.getLogger(__name__)

# A claim outlives the crawl of the whole claimed batch (see claim_lease_s) with margin; a daemon killed
# with -9 leaves claims that simply expire, after which another worker (or the restart) takes over.
CLAIM_LEASE_MARGIN_S = 120
# Claim at most this many sources per slot of max_concurrency per tick: the rest wait for the next
# tick (or another daemon) instead of sitting in our queue under a claim that might expire.
CLAIMS_PER_SLOT = 10
OUTBOX_TICK_S = 10
AUDIT_TICK_S = 300
AUDIT_CHECKPOINT_MAX_AGE = timedelta(hours=1)
# How long a stopping daemon lets in-flight crawls finish before cancelling them.
STOP_GRACE_S = 5.0


def make_worker_id() -> str:
    """hostname:pid:random, so two daemons on one host (or a restarted pid) never share an id."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TickReport:
    now: datetime
    results: list[CrawlResult] = field(default_factory=list)
    rebased: int = 0
    policy: int = 0

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)


@dataclass
class Daemon:
    """One daemon instance. Ticks take ``now`` so the demo can drive them on a simulated clock."""

    engine: Engine
    config: Config
    steps: Steps
    worker_id: str = field(default_factory=make_worker_id)
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], datetime] = utc_now
    claim_limit: int | None = None  # None: max_concurrency * CLAIMS_PER_SLOT
    stop_grace_s: float = STOP_GRACE_S
    stop_event: threading.Event = field(default_factory=threading.Event)

    # --- ticks -------------------------------------------------------------------------------------

    def sync_sources(self, now: datetime) -> None:
        sync_config_sources(self.engine, self.config, now)

    def audit_environment(self, config_path: Path | None, now: datetime) -> list[str]:
        """Audit config / rule pack / model changes since the last start (see monitor.audit.changes)."""
        from monitor.audit.changes import record_changes

        actor = f"daemon:{self.worker_id}"
        changed = record_changes(self.engine, actor=actor, config_path=config_path, now=now)
        for kind in changed:
            log.info("compliance log: %s recorded", kind)
        return changed

    def poll_tick(self, now: datetime) -> TickReport:
        report = TickReport(now)
        from monitor.platforms.watch import note_daemon_gap

        try:
            with self.engine.begin() as conn:  # a long silence of every daemon is a blind window too
                note_daemon_gap(conn, now, tick_s=self.config.daemon.poll_tick_s)
        except exc.IntegrityError:
            log.debug("coverage heartbeat created concurrently by another daemon; next tick records it")
        report.rebased = rebase_skewed_schedules(self.engine, now, self.rng)
        due = self.claim(now)
        if due:
            try:
                report.results = asyncio.run(self.crawl_all(due, now))
            finally:
                self.release_claims()  # anything left claimed (a stop, a crash) is due again at once
        report.policy = self.run_policy(now)
        record_fetch_latency(self.engine, [r.fetch_s for r in report.results if r.fetch_s is not None], now)
        return report

    def audit_tick(self, now: datetime) -> object:
        """Signed checkpoint of the compliance log when one is due (nothing without BRANDGUARD_AUDIT_KEY)."""
        from monitor.audit import checkpoint_if_due

        return checkpoint_if_due(self.engine, now=now, max_age=AUDIT_CHECKPOINT_MAX_AGE)

    def claim(self, now: datetime) -> list[DueSource]:
        from monitor.storage.sources_repo import claim_due_sources

        limit = self.claim_limit or self.config.daemon.max_concurrency * CLAIMS_PER_SLOT
        rows = claim_due_sources(
            self.engine, worker_id=self.worker_id, now=now, limit=limit, lease_s=self.claim_lease_s(limit)
        )
        return [DueSource.from_row(row) for row in rows]

    def claim_lease_s(self, limit: int) -> int:
        """Long enough for ``limit`` crawls in waves of max_concurrency, each up to the fetch deadline."""
        daemon = self.config.daemon
        waves = -(-limit // daemon.max_concurrency)
        return int(waves * daemon.fetch_deadline_s) + CLAIM_LEASE_MARGIN_S

    def release_claims(self) -> int:
        with self.engine.begin() as conn:
            return conn.execute(
                update(schema.sources)
                .where(schema.sources.c.claimed_by == self.worker_id)
                .values(claimed_by=None, claimed_until=None)
            ).rowcount

    async def crawl_all(self, due: Sequence[DueSource], now: datetime) -> list[CrawlResult]:
        daemon_cfg = self.config.daemon
        global_limit = asyncio.Semaphore(daemon_cfg.max_concurrency)
        host_limits: dict[str, asyncio.Semaphore] = {}
        crawler = Crawler(
            self.engine,
            _limited(self.steps, global_limit, host_limits, daemon_cfg.per_host_concurrency),
            self.worker_id,
            self.rng,
        )
        async with self.steps.session() if self.steps.session else contextlib.nullcontext():
            tasks = [asyncio.create_task(crawler.crawl(source, now)) for source in due]
            watcher = asyncio.create_task(_cancel_on_stop(self.stop_event, tasks, self.stop_grace_s))
            results: list[CrawlResult] = []
            for task in tasks:
                try:
                    results.append(await task)
                except asyncio.CancelledError:
                    continue
                except Exception:  # one broken source must not take the tick down
                    log.exception("crawl crashed")
            watcher.cancel()
        return results

    def run_policy(self, now: datetime) -> int:
        from monitor.incidents import process_pending_mentions

        return int(process_pending_mentions(self.engine, self.config, now))

    def deadline_tick(self, now: datetime) -> int:
        from monitor.incidents import tick_deadlines

        return int(tick_deadlines(self.engine, self.config, now))

    def outbox_tick(self, now: datetime, *, transport: Any = None) -> int:
        from monitor.incidents.outbox import deliver_due

        return int(deliver_due(self.engine, self.config, now, transport=transport))

    # --- running -----------------------------------------------------------------------------------

    def run_forever(self, *, install_signals: bool = True) -> int:
        """Tick until SIGTERM/SIGINT; in-flight crawls finish (or are cancelled) and claims are released."""
        from apscheduler.schedulers.background import BackgroundScheduler

        from rules.normalize import enable_fast_fold

        if install_signals:
            self._install_signal_handlers()
        enable_fast_fold()  # every mention is folded for matching; worth NumPy's import in a daemon
        self.sync_sources(self.clock())
        scheduler = BackgroundScheduler(timezone=UTC)
        daemon_cfg = self.config.daemon
        jobs: Iterable[tuple[str, Callable[[datetime], object], int]] = (
            ("poll", self.poll_tick, daemon_cfg.poll_tick_s),
            ("deadlines", self.deadline_tick, daemon_cfg.deadline_tick_s),
            ("outbox", self.outbox_tick, OUTBOX_TICK_S),
            ("audit", self.audit_tick, AUDIT_TICK_S),
        )
        for name, tick, every_s in jobs:
            scheduler.add_job(
                self._guarded(name, tick),
                "interval",
                seconds=every_s,
                id=name,
                next_run_time=self.clock(),
                # Ticks never pile up: a tick missed while the previous one ran is dropped, not replayed.
                coalesce=True,
                max_instances=1,
                misfire_grace_time=every_s,
            )
        log.info("daemon %s started: %d sources", self.worker_id, len(self.config.sources))
        scheduler.start()
        try:
            while not self.stop_event.wait(0.5):
                pass
        finally:
            scheduler.shutdown(wait=True)
            released = self.release_claims()
            log.info("daemon %s stopped (%d claims released)", self.worker_id, released)
        return 0

    def stop(self) -> None:
        self.stop_event.set()

    def _guarded(self, name: str, tick: Callable[[datetime], object]) -> Callable[[], None]:
        def run() -> None:
            if self.stop_event.is_set():
                return
            try:
                outcome = tick(self.clock())
                if isinstance(outcome, TickReport) and outcome.results:
                    log.info(
                        "poll: %d crawled, %d new mentions, %d errors",
                        len(outcome.results),
                        sum(r.stored for r in outcome.results),
                        outcome.count("error"),
                    )
            except Exception:  # the next tick retries; the daemon must outlive a bad tick
                log.exception("%s tick failed", name)

        return run

    def _install_signal_handlers(self) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            log.info("signal %s: stopping", signal.Signals(signum).name)
            self.stop_event.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def record_fetch_latency(engine: Engine, durations: Sequence[float], now: datetime) -> None:
    """Add fetch durations to the latency histogram in daemon_state for /metrics, shared by all daemons."""
    if not durations:
        return
    daemon_state = schema.daemon_state
    try:
        with engine.begin() as conn:
            # FOR UPDATE (PostgreSQL) and BEGIN IMMEDIATE (SQLite) serialise this read-modify-write.
            row = conn.execute(
                select(daemon_state.c.value).where(daemon_state.c.key == FETCH_LATENCY_KEY).with_for_update()
            ).first()
            value = to_state(observe(from_state(row.value if row is not None else None), durations))
            if row is None:
                conn.execute(daemon_state.insert().values(key=FETCH_LATENCY_KEY, value=value, updated_at=now))
            else:
                conn.execute(
                    update(daemon_state)
                    .where(daemon_state.c.key == FETCH_LATENCY_KEY)
                    .values(value=value, updated_at=now)
                )
    except exc.IntegrityError:
        # Another daemon inserted the row first; these figures are only metrics, the next tick adds them.
        log.debug("fetch latency row created concurrently; skipped this tick's figures")


def sync_config_sources(engine: Engine, config: Config, now: datetime) -> None:
    """Make the ``sources`` table match the config (new sources are due at once)."""
    from monitor.storage.sources_repo import SourceSpec, sync_sources

    specs = [
        SourceSpec(
            name=s.name,
            kind=s.kind,
            url=s.url,
            brands=tuple(b.name for b in config.brands_for(s)),
            interval_s=s.interval,
            tz=s.timezone,
        )
        for s in config.sources
    ]
    for attempt in range(3):
        try:
            with engine.begin() as conn:
                sync_sources(conn, specs, now=now)
            return
        except exc.IntegrityError:
            # Two daemons starting together on PostgreSQL both insert a new source; the loser's
            # transaction rolls back and the next attempt sees the row the winner inserted.
            if attempt == 2:
                raise


def rebase_skewed_schedules(engine: Engine, now: datetime, rng: random.Random) -> int:
    """No catch-up: re-plan sources that are far overdue (downtime) or far ahead (clock jumped back)."""
    src = schema.sources.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(src.id, src.next_check_at, src.interval_s).where(
                src.disabled_at.is_(None), src.claimed_by.is_(None)
            )
        ).all()
    changes = []
    for source_id, stored, interval_s in rows:
        old = as_utc_required(stored)
        new = schedule.rebase_if_skewed(old, int(interval_s), now, rng)
        if new is not None:
            changes.append((source_id, stored, new))
    if not changes:
        return 0
    done = 0
    with engine.begin() as conn:
        for source_id, stored, new in changes:
            # Conditional on the value we read: another daemon may have rescheduled it meanwhile.
            done += conn.execute(
                update(schema.sources)
                .where(and_(src.id == source_id, src.next_check_at == stored, src.claimed_by.is_(None)))
                .values(next_check_at=to_db(new))
            ).rowcount
    if done:
        log.info("re-planned %d sources whose schedule was skewed (downtime or clock jump)", done)
    return done


async def _cancel_on_stop(
    stop: threading.Event, tasks: list[asyncio.Task[CrawlResult]], grace_s: float
) -> None:
    while not stop.is_set():
        await asyncio.sleep(0.1)
    _, pending = await asyncio.wait(tasks, timeout=grace_s)
    for task in pending:
        task.cancel()


def _limited(
    steps: Steps, global_limit: asyncio.Semaphore, host_limits: dict[str, asyncio.Semaphore], per_host: int
) -> Steps:
    """Steps whose fetch waits for a global slot and a slot for the source's host."""
    inner = steps.fetch

    async def fetch(source: DueSource) -> Any:
        host = (urlsplit(source.url).hostname or "").lower()
        host_limit = host_limits.setdefault(host, asyncio.Semaphore(per_host))
        async with global_limit, host_limit:
            return await inner(source)

    return Steps(
        fetch=fetch,
        parse=steps.parse,
        match=steps.match,
        score=steps.score,
        insert=steps.insert,
        audit=steps.audit,
        session=steps.session,
        observe=steps.observe,
    )
