"""The long-running daemon: APScheduler 3 ticks, claiming due sources, concurrency limits, clean stop.

APScheduler only *ticks* (poll, deadlines, outbox); what is due lives in the ``sources`` table, so a
restart loses nothing and several daemons on one PostgreSQL database share the work by claiming rows
(FIELD-NOTES: two APScheduler processes on one job store are unsupported, so it keeps no job store).

Each poll tick: re-plan skewed schedules (no catch-up bursts), claim due sources, crawl them with
asyncio under a global and a per-host semaphore, then hand the new mentions to the alert policy.

The alert side (policy, deadline clock, outbox) lives in the incidents wing, on the crawl's own floor, so
the daemon does not import it: the composition root (``brandguard run``, the demo) passes it in as
``AlertTicks``. A daemon built without it crawls and stores but never alerts.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import random
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import exc
from sqlalchemy.engine import Engine

from monitor.config.fields import MIN_INTERVAL_S
from monitor.crawl import schedule
from monitor.crawl.claim_loop import (
    CLAIM_WINDOW_S,
    LEASE_S,
    MAX_PENDING_MENTIONS,
    MAX_PENDING_OUTBOX,
    ClaimLoop,
)
from monitor.crawl.commit_queue import CommitQueue
from monitor.crawl.latency import FETCH_LATENCY_KEY, from_state, observe, to_state
from monitor.crawl.pipeline import Crawler, CrawlResult, DueSource, Steps
from monitor.storage import daemon_state_repo, sources_repo

if TYPE_CHECKING:
    from monitor.config import Config

log = logging.getLogger(__name__)

OUTBOX_TICK_S = 10
AUDIT_TICK_S = 300
AUDIT_CHECKPOINT_MAX_AGE = timedelta(hours=1)
STOP_GRACE_S = 5.0  # how long a stopping daemon lets in-flight crawls finish before cancelling them


def make_worker_id() -> str:
    """hostname:pid:random, so two daemons on one host (or a restarted pid) never share an id."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AlertTicks:
    """The incidents wing's entry points the daemon ticks (``monitor.incidents``): each returns a count."""

    # (engine, config, now) -> mentions handed to the alert policy
    policy: Callable[[Engine, Config, datetime], int]
    # (engine, config, now) -> clock events that sent a message
    deadlines: Callable[[Engine, Config, datetime], int]
    # (engine, config, now, transport=...) -> messages delivered
    outbox: Callable[..., int]


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
    claim_limit: int | None = None  # at most this many claims per tick; None: while work is due
    claim_window_s: float = CLAIM_WINDOW_S
    stop_grace_s: float = STOP_GRACE_S
    stop_event: threading.Event = field(default_factory=threading.Event)
    alerting: AlertTicks | None = None  # None: crawl and store only (benchmarks, crawl tests)
    # Ticks other wings add through the composition root (e.g. scheduled briefings): (name, tick, every_s).
    extra_ticks: tuple[tuple[str, Callable[[datetime], object], int], ...] = ()

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
        from monitor.platforms.watch import note_daemon_gap

        report = TickReport(now)
        try:
            with self.engine.begin() as conn:  # a long silence of every daemon is a blind window too
                note_daemon_gap(conn, now, tick_s=self.config.daemon.poll_tick_s)
        except exc.IntegrityError:
            log.debug("coverage heartbeat created concurrently by another daemon; next tick records it")
        report.rebased = rebase_skewed_schedules(self.engine, now, self.rng)
        try:
            # asyncio's own loop: uvloop measured slower here (conditional-GET poll 11 s vs 8 s per 1,000).
            report.results = asyncio.run(self.crawl_due(now))
        finally:
            self.release_claims()  # anything left claimed (a stop, a crash) is due again at once
        report.policy = self.run_policy(now)
        record_fetch_latency(self.engine, [r.fetch_s for r in report.results if r.fetch_s is not None], now)
        return report

    def audit_tick(self, now: datetime) -> object:
        """Signed checkpoint of the compliance log when one is due, copied to the anchor file and channel
        (nothing without BRANDGUARD_AUDIT_KEY)."""
        from monitor.audit.periodic import AnchorSettings, audit_tick

        section = self.config.audit
        settings = AnchorSettings.from_values(
            interval_minutes=section.checkpoint_interval_minutes,
            anchor_file=section.anchor_file,
            channel=section.anchor_channel,
        )
        return audit_tick(self.engine, settings, now=now)

    def claim(self, now: datetime, limit: int) -> list[DueSource]:
        rows = sources_repo.claim_due_sources(
            self.engine, worker_id=self.worker_id, now=now, limit=limit, lease_s=LEASE_S
        )
        return [DueSource.from_row(row) for row in rows]

    def release_claims(self) -> int:
        with self.engine.begin() as conn:
            return sources_repo.release_claims(conn, worker_id=self.worker_id)

    def backlog_full(self) -> str | None:
        """Why claiming must pause (work piling up behind the crawl), or None."""
        from monitor.storage.backlog_repo import read_backlog

        with self.engine.connect() as conn:
            backlog = read_backlog(conn)
        if backlog.pending_mentions >= MAX_PENDING_MENTIONS:
            waiting = f"{backlog.pending_mentions} mentions wait for the alert policy"
            return f"{waiting} (bound {MAX_PENDING_MENTIONS})"
        if backlog.pending_outbox >= MAX_PENDING_OUTBOX:
            return f"{backlog.pending_outbox} notifications wait in the outbox (bound {MAX_PENDING_OUTBOX})"
        return None

    async def crawl_due(self, now: datetime) -> list[CrawlResult]:
        """Claim and crawl due sources as capacity frees up (``monitor.crawl.claim_loop``)."""
        from monitor.storage.sources_repo import renew_claims

        daemon_cfg = self.config.daemon
        global_limit = asyncio.Semaphore(daemon_cfg.max_concurrency)
        host_limits: dict[str, asyncio.Semaphore] = {}
        # SQLite has one writer at a time: group commit. PostgreSQL takes concurrent writers.
        commits = CommitQueue(self.engine) if self.engine.dialect.name == "sqlite" else None
        crawler = Crawler(
            self.engine,
            _limited(self.steps, global_limit, host_limits, daemon_cfg.per_host_concurrency),
            self.worker_id,
            self.rng,
            commits=commits,
        )
        started = time.monotonic()

        def current() -> datetime:
            # The tick's clock moved on by the real time elapsed; ``now`` may be simulated (demo, tests).
            return now + timedelta(seconds=time.monotonic() - started)

        loop = ClaimLoop(
            claim=lambda n: self.claim(current(), n),
            crawl=lambda source: crawler.crawl(source, now),
            renew=lambda: renew_claims(
                self.engine, worker_id=self.worker_id, until=current() + timedelta(seconds=LEASE_S)
            ),
            backlog_full=self.backlog_full,
            capacity=daemon_cfg.max_concurrency,
            stop=self.stop_event,
            limit=self.claim_limit,
            grace_s=self.stop_grace_s,
            window_s=self.claim_window_s,
        )
        try:
            async with self.steps.session() if self.steps.session else contextlib.nullcontext():
                return await loop.run()
        finally:
            if commits is not None:
                await commits.drain()

    def run_policy(self, now: datetime) -> int:
        if self.alerting is None:
            return 0
        return int(self.alerting.policy(self.engine, self.config, now))

    def deadline_tick(self, now: datetime) -> int:
        if self.alerting is None:
            return 0
        return int(self.alerting.deadlines(self.engine, self.config, now))

    def outbox_tick(self, now: datetime, *, transport: Any = None) -> int:
        if self.alerting is None:
            return 0
        return int(self.alerting.outbox(self.engine, self.config, now, transport=transport))

    # --- running -----------------------------------------------------------------------------------

    def run_forever(self, *, install_signals: bool = True) -> int:
        """Tick until SIGTERM/SIGINT; in-flight crawls finish (or are cancelled) and claims are released."""
        from apscheduler.schedulers.background import BackgroundScheduler

        from rules.normalize import enable_fast_fold

        if install_signals:
            self._install_signal_handlers()
        if self.alerting is None:
            log.warning("daemon %s runs without alerting: mentions are stored, never alerted", self.worker_id)
        enable_fast_fold()  # every mention is folded for matching; worth NumPy's import in a daemon
        self.sync_sources(self.clock())
        scheduler = BackgroundScheduler(timezone=UTC)
        daemon_cfg = self.config.daemon
        jobs: Iterable[tuple[str, Callable[[datetime], object], int]] = (
            ("poll", self.poll_tick, daemon_cfg.poll_tick_s),
            ("deadlines", self.deadline_tick, daemon_cfg.deadline_tick_s),
            ("outbox", self.outbox_tick, OUTBOX_TICK_S),
            ("audit", self.audit_tick, AUDIT_TICK_S),
            *self.extra_ticks,
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

    def add(stored: object) -> dict[str, Any]:
        return to_state(observe(from_state(stored), durations))

    try:
        with engine.begin() as conn:
            # One locked read-modify-write: concurrent daemons lose no observation.
            daemon_state_repo.update_value(conn, FETCH_LATENCY_KEY, add, now=now)
    except exc.IntegrityError:
        # Another daemon inserted the row first; these figures are only metrics, the next tick adds them.
        log.debug("fetch latency row created concurrently; skipped this tick's figures")


def sync_config_sources(engine: Engine, config: Config, now: datetime) -> None:
    """Make the ``sources`` table match the config (new sources are due at once)."""
    specs = [
        sources_repo.SourceSpec(
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
                sources_repo.sync_sources(conn, specs, now=now)
            return
        except exc.IntegrityError:
            # Two daemons starting together on PostgreSQL both insert a new source; the loser's
            # transaction rolls back and the next attempt sees the row the winner inserted.
            if attempt == 2:
                raise


def rebase_skewed_schedules(engine: Engine, now: datetime, rng: random.Random) -> int:
    """No catch-up: re-plan sources that are far overdue (downtime) or far ahead (clock jumped back)."""
    # Only rows that can be skewed for the shortest allowed interval, through the next_check_at index.
    overdue = now - timedelta(seconds=schedule.OVERDUE_INTERVALS * MIN_INTERVAL_S)
    ahead = now + timedelta(seconds=schedule.RETRY_AFTER_CAP_S + schedule.SUCCESS_JITTER_MAX_S)
    with engine.connect() as conn:
        rows = sources_repo.list_schedules(conn, due_before=overdue, due_after=ahead)
    changes = []
    for row in rows:
        new = schedule.rebase_if_skewed(row.next_check_at, row.interval_s, now, rng)
        if new is not None:
            changes.append((row, new))
    if not changes:
        return 0
    done = 0
    with engine.begin() as conn:
        for row, new in changes:
            # Conditional on the value we read: another daemon may have rescheduled it meanwhile.
            done += sources_repo.reschedule(conn, row.id, expected=row.next_check_at, next_check_at=new)
    if done:
        log.info("re-planned %d sources whose schedule was skewed (downtime or clock jump)", done)
    return done


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

    return dataclasses.replace(steps, fetch=fetch)
