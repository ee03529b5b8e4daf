"""The real pipeline steps: guarded fetch, parse in a process pool, brand matching, dedup, scoring.

``RealSteps(config).steps()`` wires the modules other parts of BrandGuard own (monitor.fetch,
monitor.parse, monitor.matching.matcher, monitor.matching.dedup, models, rules, monitor.audit,
monitor.storage.mentions_repo)
into the ``Steps`` bundle that ``monitor.crawl.pipeline`` drives.

Module-level imports are stdlib only (and ``monitor.crawl.prepare``, which is too), so that importing
this module stays cheap: SQLAlchemy + the pipeline load only where they are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.crawl.prepare import BrandSpec, parse_and_prepare

if TYPE_CHECKING:
    import httpx
    from sqlalchemy.engine import Connection

    from monitor.config import Config, SourceConfig
    from monitor.crawl.pipeline import Candidate, DueSource, Fetched, Score, Steps
    from monitor.crawl.prepare import PreparedItem
    from monitor.crawl.story_cache import StoryCache

log = logging.getLogger(__name__)

# Reposts published within this window link into one story (and so one incident).
STORY_WINDOW = timedelta(hours=72)
SCORE_BATCH = 256


def default_parse_executor() -> Executor:
    # feedparser is pure Python and holds the GIL: only processes use both cores. Two workers is
    # enough for this class of machine and keeps memory small; "spawn" avoids forking a threaded daemon.
    import multiprocessing

    workers = max(1, min(2, os.cpu_count() or 1))
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_signals
    )


def _ignore_signals() -> None:
    # Ctrl-C reaches the whole process group; the daemon decides when its workers stop.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass
class RealSteps:
    config: Config
    actor: str = "daemon"
    parse_executor: Executor | None = None
    scorer: Callable[[Sequence[str]], Sequence[Score]] | None = None
    _client: httpx.AsyncClient | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        from monitor.fetch import FetchPolicy
        from monitor.matching.matcher import BrandMatcher

        daemon = self.config.daemon
        self._policy = FetchPolicy(
            deadline_s=daemon.fetch_deadline_s,
            max_bytes=int(daemon.max_body_mb * 1024 * 1024),
            allow_hosts=frozenset(daemon.allow_hosts),
            allow_networks=tuple(daemon.allow_networks),
        )
        self._matcher = BrandMatcher(self.config.brands)
        self._brand_specs = tuple(BrandSpec(b.name, b.query, tuple(b.exclude)) for b in self.config.brands)
        self._sources: dict[str, SourceConfig] = {s.name: s for s in self.config.sources}
        from monitor.crawl.story_cache import StoryCache

        # One per daemon: story linking reads the 72-hour window once, then only new rows.
        self._stories = StoryCache(window=STORY_WINDOW)
        if self.scorer is None:
            self.scorer = make_scorer()

    def steps(self) -> Steps:
        from monitor.crawl.pipeline import Steps
        from monitor.storage.mentions_repo import insert_new_mentions

        return Steps(
            fetch=self.fetch,
            parse=self.parse,
            match=self.match,
            score=self.score,
            insert=insert_new_mentions,
            audit=self.audit,
            session=self.session,
            observe=self.observe,
        )

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        from monitor.fetch.pinned_transport import guarded_client

        # One pooled client per batch: connections to a host are reused across its feeds.
        self._client = guarded_client(self._policy)
        try:
            yield
        finally:
            client, self._client = self._client, None
            await client.aclose()

    async def fetch(self, source: DueSource) -> Fetched:
        from dataclasses import replace

        from monitor.crawl.pipeline import Fetched
        from monitor.fetch import Validators, fetch

        cfg = self._sources.get(source.name)
        policy = replace(self._policy, headers=cfg.request_headers()) if cfg else self._policy
        validators = Validators(source.etag, source.last_modified, source.body_sha256)
        result = await fetch(source.url, validators=validators, policy=policy, client=self._client)
        return Fetched(
            outcome=result.status,
            body=result.body or b"",
            headers=result.headers,
            etag=result.validators.etag,
            last_modified=result.validators.last_modified,
            retry_after_s=result.retry_after_s,
            error=result.error,
            http_status=result.http_status,
        )

    async def parse(self, source: DueSource, body: bytes, headers: Mapping[str, str], now: datetime) -> Any:
        cfg = self._sources.get(source.name)
        mapping = cfg.json_mapping if cfg else None
        selectors = cfg.selectors.model_dump() if cfg and cfg.selectors else None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.parse_executor,
            parse_and_prepare,
            source.kind,
            body,
            dict(headers),
            source.url,
            source.tz,
            mapping,
            now,
            selectors,
            self._brand_specs,
            tuple(source.brands),
        )

    def match(self, source: DueSource, parsed: Any, conn: Connection, now: datetime) -> list[Candidate]:
        items, prepared = list(parsed.items), getattr(parsed, "prepared", None)
        candidates = match_items(self._matcher, source, items, conn, now, self._stories, prepared=prepared)
        cfg = self._sources.get(source.name)
        if cfg is not None and cfg.reach_weight is not None:
            from dataclasses import replace

            # The source's audience stands in where the item carries no followers of its own.
            candidates = [c if c.followers else replace(c, followers=cfg.reach_weight) for c in candidates]
        return candidates

    def observe(
        self,
        conn: Connection,
        source: DueSource,
        state: str,
        reason: str | None,
        items: int | None,
        now: datetime,
    ) -> None:
        from monitor.platforms import adapter_for, record_state
        from monitor.platforms.watch import check_brands
        from monitor.storage.mentions_repo import has_mentions

        cfg = self._sources.get(source.name)
        platform = cfg.platform if cfg else None
        adapter = adapter_for(platform)
        suspect = state == "ok" and items == 0 and adapter is not None and adapter.empty_is_suspect
        # A brand search that returned posts before and now returns none is a quiet refusal.
        if suspect and has_mentions(conn, source.id):
            state, reason = "blocked", "empty results"
        if state == "ok" and items is None:
            from monitor.storage.outages_repo import open_outage

            # Unchanged bytes (or a 304) repeat the last answer: an empty result stays suspect.
            current = open_outage(conn, source.id)
            if current is not None and current.reason == "empty results":
                return
        change = record_state(
            conn,
            source_id=source.id,
            source_name=source.name,
            platform=platform,
            state=state,
            reason=reason,
            now=now,
            operator_channels=self.config.operator.channels,
            display_tz=self.config.daemon.timezone,
        )
        if change is not None:
            check_brands(
                conn,
                source.brands,
                now=now,
                operator_channels=self.config.operator.channels,
                display_tz=self.config.daemon.timezone,
            )

    def score(self, texts: Sequence[str]) -> Sequence[Score]:
        assert self.scorer is not None
        return self.scorer(texts)

    def audit(self, conn: Connection, kind: str, subject: str, data: dict[str, Any], now: datetime) -> None:
        from monitor import audit

        audit.append(conn, actor=self.actor, kind=kind, subject=subject, data=data, now=now)


def match_items(
    matcher: Any,
    source: DueSource,
    items: Sequence[Any],
    conn: Connection,
    now: datetime,
    stories: StoryCache | None = None,
    keys: Sequence[str] | None = None,
    prepared: Sequence[PreparedItem] | None = None,
) -> list[Candidate]:
    """Brand-matched, not yet stored items of one document, each linked to a story.

    ``prepared``: the items' keys, brands and fingerprints as the parse worker computed them
    (``monitor.crawl.prepare``); computed here when absent (``keys``: ingest's own).
    """
    from monitor.crawl.pipeline import Candidate
    from monitor.crawl.prepare import prepare_items, published_date
    from monitor.crawl.story_cache import StoryWindow, read_window
    from monitor.matching.dedup import new_story_key
    from monitor.storage.mentions_repo import stored_keys

    if prepared is None:
        prepared = prepare_items(matcher, items, list(source.brands) or None, keys)
    matched = [(item, p, brand) for item, p in zip(items, prepared, strict=True) for brand in p.brands]
    if not matched:
        return []
    # Skip what is already stored before scoring: re-scoring every item of every feed each poll is
    # the expensive part (the insert itself is idempotent anyway). One query for the whole document.
    stored = stored_keys(conn, {p.key for _, p, _ in matched}, {brand for _, _, brand in matched})
    recent: dict[str, StoryWindow] = {}
    out: list[Candidate] = []
    for item, p, brand in matched:
        if (brand, p.key) in stored:
            continue
        stored.add((brand, p.key))
        if brand not in recent:
            since = now - STORY_WINDOW
            recent[brand] = stories.get(conn, brand, now) if stories else read_window(conn, brand, since)
        story = recent[brand].link(p.fingerprint) or new_story_key(p.fingerprint, p.key)
        if p.fingerprint:  # simhash is unsigned 64-bit; 0 means "no fingerprint" (too little text)
            recent[brand].add(p.fingerprint, story)
        published = published_date(item)
        out.append(
            Candidate(
                brand=brand,
                dedup_key=p.key,
                story_key=story,
                title=item.title or "",
                text=item.text or "",
                published_at=published or getattr(item, "published_at", None) or now,
                published_estimated=published is None,
                fingerprint=p.fingerprint or None,
                url=item.link,
                author=getattr(item, "author", None),
                followers=getattr(item, "followers", None),
                likes=getattr(item, "likes", None),
                reposts=getattr(item, "reposts", None),
                comments=getattr(item, "comments", None),
            )
        )
    return out


def make_scorer() -> Callable[[Sequence[str]], Sequence[Score]]:
    """Load the sentiment model once; without it mentions are still stored (scores NULL)."""
    from monitor.crawl.pipeline import Score

    model: Any = None
    try:
        from models import load_model

        model = load_model()
    except Exception as exc:  # a missing or broken artifact must not stop crawling
        log.warning("sentiment model unavailable, mentions are stored without a score: %s", exc)
    risk_terms: Callable[[str], list[str]] | None
    try:
        from rules import risk_terms
    except ImportError:
        log.warning("rules.risk_terms unavailable: mentions are stored without risk terms")
        risk_terms = None

    def score(texts: Sequence[str]) -> list[Score]:
        labels: list[tuple[str | None, float | None]] = [(None, None)] * len(texts)
        if model is not None:
            labels = []
            for start in range(0, len(texts), SCORE_BATCH):
                for prediction in model.predict(list(texts[start : start + SCORE_BATCH])):
                    labels.append((prediction.label, float(prediction.p_negative)))
        terms = [tuple(risk_terms(t)) if risk_terms else () for t in texts]
        return [Score(label, p, t) for (label, p), t in zip(labels, terms, strict=True)]

    return score
