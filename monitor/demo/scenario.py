"""The demo scenario: the real daemon against the local feed server, on a simulated, accelerated clock.

Round 0 is the baseline (each source's first fetch: stored and scored, never alerted). Then the clock
steps 15 simulated minutes per round for five and a half hours while a 云帆汽车 crisis spreads across
the feeds: an incident opens, the T-2h / T-1h / T-30m reminders fire and, since nobody answers in the
demo, the 4-hour deadline is breached. Notifications go to a loopback webhook that counts them.
"""

from __future__ import annotations

import random
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from monitor.crawl.pipeline import Score
from monitor.demo.dataset import Dataset, load_dataset
from monitor.demo.feed_server import FeedServer, SimClock
from monitor.demo.webhook_receiver import WebhookReceiver
from monitor.storage import reports_repo

STEP = timedelta(minutes=15)
DURATION = timedelta(hours=5, minutes=30)
SOURCE_INTERVAL_S = 600  # shorter than a step: every source is due again each round
SHANGHAI = ZoneInfo("Asia/Shanghai")

BRANDS = [
    {"name": "星河手机", "query": "星河手机 OR 星河Pro OR (星河 NEAR/4 手机)", "exclude": ["星河湾"]},
    {"name": "青禾乳业", "query": "青禾乳业 OR 青禾牛奶"},
    {"name": "云帆汽车", "query": "云帆汽车 OR 云帆X7 OR (云帆 NEAR/4 (汽车 OR 车主))"},
    {"name": "木棉美妆", "query": "木棉美妆 OR 木棉口红"},
]
JSON_MAPPING = {
    "items": "data.list",
    "guid": "id",
    "title": "title",
    "text": "content",
    "link": "url",
    "published": "ctime",
    "author": "user.name",
    "followers": "user.fans",
    "likes": "likes",
    "reposts": "shares",
}


def demo_config_dict(dataset: Dataset, server: FeedServer, webhook_url: str) -> dict[str, Any]:
    sources: list[dict[str, Any]] = []
    for feed in dataset.feeds:
        source: dict[str, Any] = {
            "name": feed.name,
            "kind": feed.kind,
            "url": server.url_of(feed),
            "interval": SOURCE_INTERVAL_S,
        }
        if feed.kind == "json":
            source["json"] = JSON_MAPPING
        sources.append(source)
    return {
        "daemon": {
            "poll_tick_s": 2,
            "deadline_tick_s": 2,
            "max_concurrency": 6,
            "per_host_concurrency": 6,
            "fetch_deadline_s": 10,
            "allow_hosts": ["127.0.0.1"],
            "allow_networks": ["127.0.0.0/8"],
        },
        "brands": BRANDS,
        "sources": sources,
        # Platform sources through the demo's local RSSHub: Weibo with follower counts, and 百度贴吧,
        # which shows a captcha page mid-story (a blind window the incident message reports).
        "platforms": [
            {
                "name": name,
                "rsshub": f"{server.base_url}/rsshub",
                "brands": ["云帆汽车"],
                "keywords": {"云帆汽车": ["云帆汽车"]},
                "interval": SOURCE_INTERVAL_S,
            }
            for name in ("weibo", "tieba")
        ],
        "operator": {"channels": ["demo-webhook"]},
        "channels": [{"name": "demo-webhook", "kind": "webhook", "url": webhook_url, "rate_per_minute": 600}],
        "routes": [{"brands": ["*"], "channels": ["demo-webhook"], "escalate_to": ["demo-webhook"]}],
    }


@dataclass
class DemoSummary:
    sources: int = 0
    mentions: int = 0
    negative: int = 0
    alerts: int = 0
    notifications: int = 0
    events: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, int]:
        return {
            "sources": self.sources,
            "mentions": self.mentions,
            "negative": self.negative,
            "alerts": self.alerts,
            "notifications": self.notifications,
        }


@dataclass
class Narrator:
    """Tells what happened in each round by looking at what changed in the database."""

    engine: Engine
    out: TextIO | None
    seen_incidents: set[int] = field(default_factory=set)
    seen_events: set[int] = field(default_factory=set)
    seen_outages: set[tuple[int, str]] = field(default_factory=set)
    # source -> the problem last told: a source that stays blocked is told once, not every round
    problems: dict[str, str] = field(default_factory=dict)

    def say(self, now: datetime, text: str) -> None:
        if self.out is not None:
            print(f"[{now.astimezone(SHANGHAI):%H:%M}] {text}", file=self.out, flush=True)

    def round(
        self, now: datetime, stored: int, negative: int, errors: dict[str, str], *, baseline: bool
    ) -> None:
        if baseline:
            self.say(
                now, f"baseline: {stored} mentions stored and scored, not alerted (首次抓取为基线，不告警)"
            )
        elif stored:
            self.say(
                now, f"{stored} new mentions, {negative} negative (新提及 {stored} 条，负面 {negative} 条)"
            )
        for source, problem in errors.items():
            if self.problems.get(source) != problem:
                self.say(now, f"source problem: {source}: {problem}")
        self.problems = dict(errors)
        self._coverage(now)
        with self.engine.connect() as conn:
            opened = reports_repo.incidents_opened(conn)
            fired = reports_repo.fired_clock_events(conn)
        for incident in opened:
            if incident.id in self.seen_incidents:
                continue
            self.seen_incidents.add(incident.id)
            self.say(
                now,
                f"INCIDENT #{incident.id} opened {incident.severity} {incident.brand}: "
                f"{incident.title[:40]} — "
                f"respond by {incident.respond_by.astimezone(SHANGHAI):%H:%M} (事件已创建，须在此前响应)",
            )
        for event in fired:
            if event.id in self.seen_events:
                continue
            self.seen_events.add(event.id)
            if event.skipped:
                continue
            self.say(now, f"incident #{event.incident_id}: {_describe(event.kind)}")

    def _coverage(self, now: datetime) -> None:
        from monitor.storage import outages_repo, sources_repo

        with self.engine.connect() as conn:
            outages = outages_repo.outages_between(conn, now - timedelta(days=2), now + STEP)
            names = sources_repo.source_names(conn)
        for outage in outages:
            name = names.get(outage.source_id, str(outage.source_id))
            opened = (outage.id, "open")
            if opened not in self.seen_outages:
                self.seen_outages.add(opened)
                self.say(now, f"BLIND: {name} {outage.state} ({outage.reason}) — 数据源未覆盖，已通知运维")
            if outage.ended_at is not None and (outage.id, "closed") not in self.seen_outages:
                self.seen_outages.add((outage.id, "closed"))
                start = outage.started_at.astimezone(SHANGHAI)
                end = outage.ended_at.astimezone(SHANGHAI)
                self.say(now, f"covered again: {name} 未覆盖 {start:%H:%M}–{end:%H:%M} (盲区已记录)")


def _describe(kind: str) -> str:
    if kind.startswith("reminder"):
        minutes = kind.split(":")[-1].lstrip("-")
        return f"reminder, {minutes} min to the deadline (响应截止前 {minutes} 分钟提醒)"
    if kind == "breach":
        return "BREACH: no response within the deadline (超时未响应，已违约)"
    if kind == "escalation":
        return "escalated: not acknowledged in time (未及时确认，已升级)"
    return kind


def demo_start(real_now: datetime) -> datetime:
    """The simulated story ends about now, so times look natural in the web console afterwards."""
    return real_now.replace(minute=0, second=0, microsecond=0) - DURATION - STEP


def run_scenario(
    data_dir: Path,
    *,
    out: TextIO | None,
    pace_s: float = 0.0,
    stop: threading.Event | None = None,
    on_ready: Callable[[Engine, Any], None] | None = None,
    real_now: datetime | None = None,
    scorer: Callable[[Sequence[str]], Sequence[Score]] | None = None,
) -> DemoSummary:
    """Run the whole story; ``pace_s`` real seconds per simulated step (0: as fast as possible)."""
    from monitor.config import config_from_dict
    from monitor.crawl.daemon import AlertTicks, Daemon
    from monitor.crawl.steps import RealSteps
    from monitor.incidents import deliver_due, process_pending_mentions, tick_deadlines
    from monitor.storage.engine import open_database

    dataset = load_dataset()
    start = demo_start(real_now or datetime.now(UTC))
    clock = SimClock(start=start, now=start)
    server = FeedServer(dataset, clock).start()
    receiver = WebhookReceiver().start()
    db_dir = data_dir / "demo"
    shutil.rmtree(db_dir, ignore_errors=True)  # every demo run tells the story from the beginning
    db_dir.mkdir(parents=True, exist_ok=True)
    engine = open_database(f"sqlite:///{(db_dir / 'brandguard.db').resolve()}")
    # Threads, not processes, for parsing: six small feeds do not pay for spawning interpreters.
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="demo-parse")
    try:
        config = config_from_dict(demo_config_dict(dataset, server, receiver.url), label="demo config")
        if on_ready is not None:
            on_ready(engine, config)
        steps = RealSteps(config, actor="demo", parse_executor=executor, scorer=scorer).steps()
        # One source per poll tick, in the schedule's order: the same post on two platforms in one round
        # would otherwise race to be stored first, and the story (and its figures) would vary run to run.
        alerting = AlertTicks(policy=process_pending_mentions, deadlines=tick_deadlines, outbox=deliver_due)
        daemon = Daemon(
            engine,
            config,
            steps,
            rng=random.Random(7),
            clock=lambda: clock.now,
            claim_limit=1,
            alerting=alerting,
        )
        narrator = Narrator(engine, out)
        if out is not None:
            print(
                f"BrandGuard demo: {len(dataset.feeds)} sources, {len(BRANDS)} brands, "
                f"{len(dataset.posts)} posts; simulated clock in 15-minute steps "
                f"(模拟时钟，每步 15 分钟). Feeds at {server.base_url}, database {db_dir / 'brandguard.db'}",
                file=out,
                flush=True,
            )
        daemon.sync_sources(start)
        steps_total = int(DURATION / STEP) + 1
        for i in range(steps_total):
            if stop is not None and stop.is_set():
                break
            now = start + i * STEP
            clock.now = now
            report = daemon.poll_tick(now)
            while True:  # the rest of the sources due this round, one at a time
                more = daemon.poll_tick(now)
                if not more.results:
                    break
                report.results += more.results
            daemon.deadline_tick(now)
            sent = daemon.outbox_tick(now)
            stored = sum(r.stored for r in report.results)
            negative = _negative_since(engine, now)
            errors = {
                r.name: r.error or r.outcome for r in report.results if r.outcome in ("error", "disabled")
            }
            narrator.round(now, stored, negative, errors, baseline=i == 0)
            if sent:
                narrator.say(now, f"  -> {sent} notification(s) delivered to the webhook (已推送通知)")
            if pace_s and stop is not None:
                stop.wait(pace_s)
            elif pace_s:
                time.sleep(pace_s)
        # Let the outbox drain what the last round queued (delivery is asynchronous to the policy).
        daemon.outbox_tick(clock.now + timedelta(seconds=1))
        return _summary(engine, receiver)
    finally:
        executor.shutdown(wait=True)
        server.stop()
        receiver.stop()
        engine.dispose()


def _negative_since(engine: Engine, now: datetime) -> int:
    with engine.connect() as conn:
        return reports_repo.negative_fetched_at(conn, now)


def _summary(engine: Engine, receiver: WebhookReceiver) -> DemoSummary:
    with engine.connect() as conn:
        counted = reports_repo.totals(conn)
    return DemoSummary(
        sources=counted.sources,
        mentions=counted.mentions,
        negative=counted.negative,
        alerts=counted.incidents,
        notifications=len(receiver.unique_messages()),
    )
