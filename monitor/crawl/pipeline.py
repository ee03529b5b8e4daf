"""One source's crawl: fetch -> parse -> match -> dedup -> score -> store, then its next schedule.

The crawl of a claimed source ends in exactly one database transaction that (a) checks the claim is
still ours, (b) inserts the new mentions idempotently and (c) writes the source's schedule state and
releases the claim. A kill -9 before the commit loses only uncommitted work: the claim expires and the
source is crawled again; the unique (brand, dedup_key) constraint makes the repeat harmless.

Collaborators (fetch, parse, match, dedup, scoring) are passed in as a ``Steps`` bundle so the pipeline
can be driven by fakes in unit tests and by the real modules in the daemon (``monitor.crawl.steps``).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.engine import Connection, Engine

from monitor.crawl import schedule
from monitor.crawl.commit_queue import CommitQueue
from monitor.crawl.crawl_log import log_crawl
from monitor.errors import BrandGuardError
from monitor.platforms.blocked import detect
from monitor.storage.sources_repo import release_source
from monitor.storage.times import as_utc

log = logging.getLogger(__name__)

FetchOutcome = Literal["ok", "not_modified", "unchanged", "retry_later", "error"]
CrawlOutcome = Literal["ok", "not_modified", "unchanged", "retry_later", "error", "disabled", "lost_claim"]


class LostClaimError(BrandGuardError):
    """Another worker took the source over (our claim expired); our results are discarded."""


@dataclass(frozen=True)
class DueSource:
    """Snapshot of a claimed ``sources`` row: everything a crawl needs, nothing it may change."""

    id: int
    name: str
    kind: str
    url: str
    interval_s: int
    tz: str
    brands: tuple[str, ...]
    consecutive_errors: int = 0
    first_error_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    baseline_done: bool = False

    @classmethod
    def from_row(cls, source: Any) -> DueSource:
        """From a ``sources`` row mapping or a ``sources_repo.SourceRow``."""
        row = source if isinstance(source, Mapping) else vars(source)
        return cls(
            id=int(row["id"]),
            name=str(row["name"]),
            kind=str(row["kind"]),
            url=str(row["url"]),
            interval_s=int(row["interval_s"]),
            tz=str(row["tz"]),
            brands=tuple(row["brands"] or ()),
            consecutive_errors=int(row["consecutive_errors"] or 0),
            first_error_at=as_utc(row["first_error_at"]),
            etag=row["etag"],
            last_modified=row["last_modified"],
            body_sha256=row["body_sha256"],
            baseline_done=bool(row["baseline_done"]),
        )


@dataclass(frozen=True)
class Fetched:
    """What the pipeline needs from a fetch, whatever went wrong on the wire."""

    outcome: FetchOutcome
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    retry_after_s: float | None = None
    error: str | None = None
    http_status: int | None = None


@dataclass(frozen=True)
class Candidate:
    """A matched, deduplicated item ready to become a ``mentions`` row (scores filled in later)."""

    brand: str
    dedup_key: str
    story_key: str
    title: str
    text: str
    published_at: datetime
    fingerprint: int | None = None
    url: str | None = None
    author: str | None = None
    published_estimated: bool = False
    followers: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None
    label: str | None = None
    p_negative: float | None = None
    risk_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Score:
    label: str | None
    p_negative: float | None
    risk_terms: tuple[str, ...]


@dataclass
class CrawlResult:
    source_id: int
    name: str
    outcome: CrawlOutcome
    next_check_at: datetime | None = None
    items: int = 0
    matched: int = 0
    stored: int = 0
    baseline: bool = False
    error: str | None = None
    # seconds from the fetched response to the commit of its mentions (parse, match, score, store)
    fetch_to_store_s: float | None = None
    # seconds the fetch itself took (request to full body or failure), for /metrics
    fetch_s: float | None = None


Fetcher = Callable[[DueSource], Awaitable[Fetched]]
# (source, body, headers, now) -> parsed document (opaque here; has ``items``). The step keeps the work
# off the event loop itself (a process pool in the daemon: feedparser holds the GIL).
Parser = Callable[[DueSource, bytes, Mapping[str, str], datetime], Awaitable[Any]]
# (source, parsed document, connection, now) -> candidates; matching + dedup against what is stored
Matcher = Callable[[DueSource, Any, Connection, datetime], Sequence[Candidate]]
Scorer = Callable[[Sequence[str]], Sequence[Score]]
# (connection, mention column values in id order) -> how many were new; one statement for a crawl's
# mentions, idempotent on (brand, dedup_key)
Inserter = Callable[[Connection, Sequence[dict[str, Any]]], int]
# (connection, kind, subject, data, now): an audit entry inside the caller's transaction
Auditor = Callable[[Connection, str, str, dict[str, Any], datetime], None]
# (connection, source, state, reason, items parsed or None, now): the source's coverage after this crawl
# ("ok" or a not-covered state, monitor.platforms), inside the crawl's transaction.
Observer = Callable[[Connection, DueSource, str, str | None, int | None, datetime], None]


@dataclass
class Steps:
    fetch: Fetcher
    parse: Parser
    match: Matcher
    score: Scorer
    insert: Inserter
    audit: Auditor
    # Opened around each batch of crawls (one event loop): e.g. a shared HTTP client.
    session: Callable[[], AbstractAsyncContextManager[None]] | None = None
    observe: Observer | None = None


@dataclass
class Crawler:
    """Everything shared by the crawls of one daemon tick."""

    engine: Engine
    steps: Steps
    worker_id: str
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = field(default=lambda: asyncio.get_running_loop().time())
    # SQLite: crawls commit together on the event loop (monitor.crawl.commit_queue) and match there too:
    # threads cost more in GIL hand-offs than the work. None (PostgreSQL): each step in a thread.
    commits: CommitQueue | None = None

    async def crawl(self, source: DueSource, now: datetime) -> CrawlResult:
        started = self.clock()
        fetched = await self._fetch(source)
        received = self.clock()
        result = CrawlResult(source.id, source.name, "ok", fetch_s=received - started)
        candidates: list[Candidate] = []
        body_sha = None
        parsed_items: int | None = None
        if fetched.outcome == "ok":
            body_sha = hashlib.sha256(fetched.body).hexdigest()
            if source.body_sha256 == body_sha:
                result.outcome = "unchanged"  # same bytes without a 304: skip the parse (FIELD-NOTES)
            else:
                try:
                    candidates = await self._parse_and_match(source, fetched, now, result)
                    parsed_items = result.items
                except BrandGuardError as exc:
                    # A login wall or a JSON error code does not parse: say which, not "parse error".
                    verdict = detect(fetched.http_status, fetched.headers, fetched.body)
                    error = _verdict_error(verdict) if verdict else f"parse: {exc}"
                    fetched = replace(fetched, outcome="error", error=error)
                    body_sha = None
                except Exception as exc:  # a bug on one feed must still move its schedule on
                    log.exception("source %s: crawl failed", source.name)
                    fetched = replace(fetched, outcome="error", error=f"internal error: {type(exc).__name__}")
                    body_sha = None
        elif fetched.outcome in ("not_modified", "unchanged"):
            result.outcome = fetched.outcome
        elif fetched.outcome in ("retry_later", "error") and fetched.body:
            verdict = detect(fetched.http_status, fetched.headers, fetched.body)
            if verdict is not None and verdict.state in ("blocked", "needs_config"):
                fetched = replace(fetched, outcome="error", error=verdict.label)
            elif verdict is not None and fetched.outcome == "error":
                fetched = replace(fetched, error=_verdict_error(verdict))
        if fetched.outcome in ("retry_later", "error"):
            result.outcome = fetched.outcome
            result.error = fetched.error
        try:
            write = functools.partial(
                self._write, source, fetched, body_sha, candidates, now, result, parsed_items
            )
            if self.commits is not None:
                await self.commits.run(write)
            else:
                await asyncio.to_thread(self._in_transaction, write)
        except LostClaimError as exc:
            log.warning("source %s: %s", source.name, exc)
            result.outcome = "lost_claim"
            result.stored = 0
            return result
        if result.stored:
            result.fetch_to_store_s = self.clock() - received
        log_crawl(result, self.worker_id)
        return result

    async def _fetch(self, source: DueSource) -> Fetched:
        try:
            return await self.steps.fetch(source)
        except BrandGuardError as exc:
            return Fetched("error", error=str(exc))

    async def _parse_and_match(
        self, source: DueSource, fetched: Fetched, now: datetime, result: CrawlResult
    ) -> list[Candidate]:
        parsed = await self.steps.parse(source, fetched.body, dict(fetched.headers), now)
        result.items = len(getattr(parsed, "items", parsed) or ())
        if self.commits is not None:
            return self._match_and_score(source, parsed, now, result)
        return await asyncio.to_thread(self._match_and_score, source, parsed, now, result)

    def _match_and_score(
        self, source: DueSource, parsed: Any, now: datetime, result: CrawlResult
    ) -> list[Candidate]:
        with self.engine.connect() as conn:
            candidates = list(self.steps.match(source, parsed, conn, now))
        result.matched = len(candidates)
        if not candidates:
            return []
        scores = self.steps.score([f"{c.title}\n{c.text}".strip() for c in candidates])
        return [
            replace(c, label=s.label, p_negative=s.p_negative, risk_terms=s.risk_terms)
            for c, s in zip(candidates, scores, strict=True)
        ]

    def _in_transaction(self, write: Callable[[Connection], None]) -> None:
        with self.engine.begin() as conn:
            write(conn)

    def _write(
        self,
        source: DueSource,
        fetched: Fetched,
        body_sha: str | None,
        candidates: list[Candidate],
        now: datetime,
        result: CrawlResult,
        parsed_items: int | None,
        conn: Connection,
    ) -> None:
        values, disabled = plan_source_state(source, fetched, body_sha, now, self.rng)
        result.next_check_at = values["next_check_at"]
        if disabled:
            result.outcome = "disabled"
        baseline = not source.baseline_done
        result.baseline = baseline and fetched.outcome == "ok"
        # The claim check comes first: in PostgreSQL it also row-locks the source for this transaction.
        if not release_source(conn, source.id, worker_id=self.worker_id, **values):
            raise LostClaimError(f"claim lost to another worker; {len(candidates)} items left for it")
        # Oldest first, so mention ids follow publication (the policy works in id order); ties in one
        # global order, so two daemons storing the same cross-posted items wait on each other's
        # unique-index entries in turn instead of deadlocking.
        ordered = sorted(candidates, key=lambda c: (c.published_at, c.brand, c.dedup_key))
        rows = [mention_values(c, source, now, baseline=baseline) for c in ordered]
        result.stored = self.steps.insert(conn, rows) if rows else 0
        if self.steps.observe is not None:
            state, reason = coverage_state(fetched, disabled)
            self.steps.observe(conn, source, state, reason, parsed_items, now)
        if disabled:
            self.steps.audit(
                conn,
                "source.disabled",
                source.name,
                {"source_id": source.id, "reason": values["disabled_reason"]},
                now,
            )
            log.warning("source %s disabled: %s", source.name, values["disabled_reason"])


def _verdict_error(verdict: Any) -> str:
    return str(verdict.reason if verdict.state == "failing" else verdict.label)


def coverage_state(fetched: Fetched, disabled: bool) -> tuple[str, str | None]:
    """The source's coverage after a crawl: "ok", or a not-covered state with its reason."""
    if disabled:
        return "disabled", (fetched.error or "failing too long")[:200]
    if fetched.outcome == "retry_later":
        return "throttled", fetched.error
    if fetched.outcome == "error":
        error = fetched.error or "unknown error"
        for state in ("blocked", "needs config"):
            if error.startswith(f"{state} ("):  # a blocked.Verdict label
                return state.replace(" ", "_"), error[len(state) + 2 : -1]
        return "failing", error[:200]
    return "ok", None


def plan_source_state(
    source: DueSource, fetched: Fetched, body_sha: str | None, now: datetime, rng: random.Random
) -> tuple[dict[str, Any], bool]:
    """The ``sources`` columns to write after a crawl, and whether the source is now disabled.

    Every branch sets ``next_check_at`` strictly after ``now``: a source is never left due in the past.
    """
    values: dict[str, Any] = {"last_checked_at": now}
    if fetched.outcome == "error":
        errors = source.consecutive_errors + 1
        first = source.first_error_at or now
        values.update(
            consecutive_errors=errors,
            first_error_at=first,
            last_error=(fetched.error or "unknown error")[:500],
            next_check_at=schedule.after_error(schedule.ErrorState(errors, source.interval_s), now, rng),
        )
        if schedule.should_disable(first, now):
            values.update(
                disabled_at=now,
                disabled_reason=f"failing since {first:%Y-%m-%d %H:%M} UTC: {values['last_error']}",
            )
            return values, True
        return values, False
    if fetched.outcome == "retry_later":
        # The server is alive and asked for patience: not a breakage, the error streak is left as is.
        values.update(
            last_error=fetched.error,
            next_check_at=schedule.after_retry_later(fetched.retry_after_s, source.interval_s, now),
        )
        return values, False
    values.update(
        consecutive_errors=0,
        first_error_at=None,
        last_error=None,
        last_success_at=now,
        baseline_done=True,
        next_check_at=schedule.next_check_after_success(source.interval_s, now, rng),
    )
    if fetched.outcome == "ok":
        values.update(etag=fetched.etag, last_modified=fetched.last_modified)
        if body_sha is not None:
            values["body_sha256"] = body_sha
    elif fetched.outcome == "not_modified":
        # A 304 may carry a refreshed ETag; keep what we had otherwise.
        values.update(
            etag=fetched.etag or source.etag, last_modified=fetched.last_modified or source.last_modified
        )
    return values, False


# Candidate fields stored under their own name in ``mentions``.
_CANDIDATE_COLUMNS = (
    "brand", "dedup_key", "fingerprint", "story_key", "title", "text", "url", "author", "published_at",
    "published_estimated", "followers", "likes", "reposts", "comments", "label", "p_negative",
)  # fmt: skip


def mention_values(
    candidate: Candidate, source: DueSource, now: datetime, *, baseline: bool
) -> dict[str, Any]:
    """Column values for ``mentions``. Baseline rows are stored and scored but never reach the policy."""
    values = {column: getattr(candidate, column) for column in _CANDIDATE_COLUMNS}
    values.update(source_id=source.id, fetched_at=now, risk_terms=list(candidate.risk_terms))
    values.update(baseline=baseline, policy_done=baseline)
    return values
