"""Fake pipeline steps and a migrated SQLite database for daemon unit tests."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from monitor.crawl.pipeline import Candidate, DueSource, Fetched, Score, Steps
from monitor.errors import ParseError
from monitor.storage import schema
from monitor.storage.mentions_repo import insert_new_mentions
from monitor.storage.times import to_db

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def add_source(
    engine: Engine,
    name: str,
    *,
    url: str | None = None,
    next_check_at: datetime = NOW,
    claimed_by: str | None = None,
    **extra: Any,
) -> int:
    values: dict[str, Any] = {
        "name": name,
        "kind": "rss",
        "url": url or f"http://feeds.example/{name}.xml",
        "brands": ["云帆汽车"],
        "interval_s": 900,
        "tz": "Asia/Shanghai",
        "next_check_at": to_db(next_check_at),
        "created_at": to_db(NOW),
        "claimed_by": claimed_by,
    }
    values.update(extra)
    with engine.begin() as conn:
        return int(conn.execute(insert(schema.sources).values(**values)).inserted_primary_key[0])


def source_row(engine: Engine, source_id: int) -> Mapping[str, Any]:
    with engine.connect() as conn:
        return conn.execute(select(schema.sources).where(schema.sources.c.id == source_id)).mappings().one()


def mentions(engine: Engine) -> list[Mapping[str, Any]]:
    with engine.connect() as conn:
        return list(conn.execute(select(schema.mentions).order_by(schema.mentions.c.id)).mappings())


@dataclass
class FakeWeb:
    """Per-URL queue of fetch results; the last one repeats. Items are lines of the body."""

    responses: dict[str, list[Fetched]] = field(default_factory=dict)
    parsed: int = 0
    audits: list[tuple[str, str]] = field(default_factory=list)

    def serve(self, url: str, *results: Fetched) -> None:
        self.responses[url] = list(results)

    async def fetch(self, source: DueSource) -> Fetched:
        queue = self.responses[source.url]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    async def parse(
        self, source: DueSource, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> list[str]:
        self.parsed += 1
        if body.startswith(b"<broken"):
            raise ParseError("not well-formed (invalid token): line 1, column 1")
        return [line for line in body.decode().splitlines() if line.strip()]

    def match(self, source: DueSource, parsed: Any, conn: Connection, now: datetime) -> Sequence[Candidate]:
        return [
            Candidate(
                brand="云帆汽车",
                dedup_key=hashlib.sha256(line.encode()).hexdigest(),
                story_key=hashlib.sha256(line[:4].encode()).hexdigest(),
                title=line,
                text=line,
                published_at=now,
            )
            for line in parsed
            if "云帆" in line
        ]

    def score(self, texts: Sequence[str]) -> Sequence[Score]:
        return [
            Score("negative" if "自燃" in t else "neutral", 0.9 if "自燃" in t else 0.1, ()) for t in texts
        ]

    def audit(self, conn: Connection, kind: str, subject: str, data: dict[str, Any], now: datetime) -> None:
        self.audits.append((kind, subject))

    def steps(self) -> Steps:
        return Steps(self.fetch, self.parse, self.match, self.score, insert_new_mentions, self.audit)


def ok(body: str, etag: str | None = None) -> Fetched:
    return Fetched("ok", body=body.encode(), etag=etag)
