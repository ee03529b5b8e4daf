"""Briefing aggregates (日报 / 周报 / 月报): every count is a GROUP BY in the database, never a Python loop
over mentions, so a weekly brief over a million mentions reads a few hundred result rows.

Local days are buckets of UTC instants: the caller passes the UTC instants of local midnights
(``bounds``) and ``day_bucket`` turns ``published_at`` into a bucket number with a CASE over them. That
keeps the filter a plain range on ``ix_mentions_brand_published`` and is right on both SQLite and
PostgreSQL, whatever the display zone (a day with a DST change is simply 23 or 25 hours long).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from alerts.sla import IncidentTimes
from monitor.storage.incidents_repo import sla_times
from monitor.storage.schema import incidents, mentions, outbox, source_outages, sources
from monitor.storage.times import as_utc, as_utc_required, to_db

# Platform of a mention, from its link (crawled or pushed alike). Order matters: first match wins.
PLATFORM_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("微博", ("%weibo.com%", "%weibo.cn%")),
    ("微信", ("%weixin.qq.com%", "%mp.qq.com%")),
    ("小红书", ("%xiaohongshu.com%", "%xhslink.com%")),
    ("抖音", ("%douyin.com%",)),
    ("快手", ("%kuaishou.com%",)),
    ("B站", ("%bilibili.com%", "%b23.tv%")),
    ("知乎", ("%zhihu.com%",)),
    ("今日头条", ("%toutiao.com%",)),
    ("黑猫投诉", ("%tousu.sina.com.cn%",)),
    ("百度", ("%baidu.com%",)),
)
OTHER_PLATFORM = "其他"


def day_bucket(bounds: Sequence[datetime]) -> ColumnElement[Any]:
    """Bucket number i for ``bounds[i] <= published_at < bounds[i + 1]`` (the caller filters the range)."""
    whens = [(mentions.c.published_at < to_db(b), i) for i, b in enumerate(bounds[1:-1])]
    if not whens:
        return func.coalesce(0, 0)
    return case(*whens, else_=len(bounds) - 2)


def platform_expression() -> ColumnElement[Any]:
    url = func.lower(func.coalesce(mentions.c.url, ""))
    whens = [(or_(*(url.like(p) for p in patterns)), name) for name, patterns in PLATFORM_PATTERNS]
    return case(*whens, else_=OTHER_PLATFORM)


def _in_window(brands: Sequence[str], start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(
        mentions.c.brand.in_(list(brands)),
        mentions.c.published_at >= to_db(start),
        mentions.c.published_at < to_db(end),
    )


def _negative() -> ColumnElement[Any]:
    return func.sum(case((mentions.c.label == "negative", 1), else_=0))


def volume_by_day(
    conn: Connection, brands: Sequence[str], bounds: Sequence[datetime]
) -> list[tuple[str, int, str | None, int]]:
    """(brand, day bucket, label, mentions) over ``bounds[0] .. bounds[-1]``; empty cells are absent."""
    bucket = day_bucket(bounds).label("bucket")
    query = (
        select(mentions.c.brand, bucket, mentions.c.label, func.count().label("n"))
        .where(_in_window(brands, bounds[0], bounds[-1]))
        .group_by(mentions.c.brand, bucket, mentions.c.label)
    )
    return [(r[0], int(r[1]), r[2], int(r[3])) for r in conn.execute(query)]


def brand_totals(
    conn: Connection, brands: Sequence[str], previous_start: datetime, start: datetime, end: datetime
) -> list[tuple[str, bool, int]]:
    """(brand, in the current period?, mentions) for share of voice. Two plain GROUP BYs read only the
    index; one GROUP BY with a CASE on published_at was 3-6x slower on SQLite."""
    out: list[tuple[str, bool, int]] = []
    for current, lo, hi in ((False, previous_start, start), (True, start, end)):
        query = (
            select(mentions.c.brand, func.count())
            .where(_in_window(brands, lo, hi))
            .group_by(mentions.c.brand)
        )
        out.extend((r[0], current, int(r[1])) for r in conn.execute(query))
    return out


@dataclass(frozen=True)
class StoryRow:
    story_key: str
    brand: str
    mentions: int
    negative: int
    reach: int
    likes: int
    reposts: int
    recent: int  # mentions in the last 24 hours of the window: the story's velocity
    first_at: datetime
    title: str
    url: str | None


def heat_expression(recent_since: datetime) -> tuple[ColumnElement[Any], ...]:
    reach = func.coalesce(func.sum(mentions.c.followers), 0)
    likes = func.coalesce(func.sum(mentions.c.likes), 0)
    reposts = func.coalesce(func.sum(mentions.c.reposts), 0)
    recent = func.sum(case((mentions.c.published_at >= to_db(recent_since), 1), else_=0))
    return reach, likes, reposts, recent


def top_stories(
    conn: Connection,
    brands: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    recent_since: datetime,
    limit: int = 10,
) -> list[StoryRow]:
    """Stories ordered by heat = mentions + reposts/10 + likes/100 + reach/10,000 (docs/briefings.md)."""
    reach, likes, reposts, recent = heat_expression(recent_since)
    count = func.count()
    heat = count + reposts / 10.0 + likes / 100.0 + reach / 10000.0
    query = (
        select(
            mentions.c.story_key,
            mentions.c.brand,
            count.label("n"),
            _negative().label("neg"),
            reach.label("reach"),
            likes.label("likes"),
            reposts.label("reposts"),
            recent.label("recent"),
            func.min(mentions.c.id).label("first_id"),
        )
        .where(_in_window(brands, start, end))
        .group_by(mentions.c.story_key, mentions.c.brand)
        .order_by(heat.desc(), mentions.c.story_key)
        .limit(limit)
    )
    return story_rows(conn, conn.execute(query).all())


def story_rows(conn: Connection, rows: Sequence[Any]) -> list[StoryRow]:
    """Rows of (story_key, brand, n, negative, reach, likes, reposts, recent, first mention id), each
    with its first mention's time, title and link (one query for all of them)."""
    first = {
        r.id: r
        for r in conn.execute(
            select(
                mentions.c.id, mentions.c.title, mentions.c.text, mentions.c.url, mentions.c.published_at
            ).where(mentions.c.id.in_([int(row[8]) for row in rows]))
        )
    }
    out = []
    for key, brand, n, neg, reach, likes, reposts, recent, first_id in rows:
        head = first[int(first_id)]
        out.append(
            StoryRow(
                story_key=key,
                brand=brand,
                mentions=int(n),
                negative=int(neg or 0),
                reach=int(reach),
                likes=int(likes),
                reposts=int(reposts),
                recent=int(recent or 0),
                first_at=as_utc_required(head.published_at),
                title=(head.title or head.text or "")[:120],
                url=head.url,
            )
        )
    return out


def by_platform(
    conn: Connection, brands: Sequence[str], start: datetime, end: datetime
) -> list[tuple[str, int, int]]:
    """(platform, mentions, negative), most mentions first."""
    platform = platform_expression().label("platform")
    query = (
        select(platform, func.count().label("n"), _negative().label("neg"))
        .where(_in_window(brands, start, end))
        .group_by(platform)
    )
    rows = [(r[0], int(r[1]), int(r[2] or 0)) for r in conn.execute(query)]
    # Sorted here: the databases' collations order Chinese names differently.
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def by_source(
    conn: Connection, brands: Sequence[str], start: datetime, end: datetime, *, limit: int = 15
) -> list[tuple[str, int, int]]:
    """(source name, mentions, negative); mentions pushed through the API have no source ("API 推送")."""
    query = (
        select(mentions.c.source_id, func.count().label("n"), _negative().label("neg"))
        .where(_in_window(brands, start, end))
        .group_by(mentions.c.source_id)
        # NULL (pushed, "API 推送") last on both databases: SQLite and PostgreSQL disagree by default.
        .order_by(func.count().desc(), mentions.c.source_id.nulls_last())
        .limit(limit)
    )
    rows = conn.execute(query).all()
    ids = [r[0] for r in rows if r[0] is not None]
    names = dict(conn.execute(select(sources.c.id, sources.c.name).where(sources.c.id.in_(ids))).all())
    return [
        (names.get(r[0], "API 推送") if r[0] is not None else "API 推送", int(r[1]), int(r[2] or 0))
        for r in rows
    ]


@dataclass(frozen=True)
class AuthorRow:
    author: str
    mentions: int
    followers: int
    engagement: int  # likes + reposts
    negative: int


def top_authors(
    conn: Connection, brands: Sequence[str], start: datetime, end: datetime, *, limit: int = 10
) -> list[AuthorRow]:
    """Accounts by reach (their largest follower count seen in the window), then by engagement."""
    followers = func.coalesce(func.max(mentions.c.followers), 0)
    engagement = func.coalesce(
        func.sum(func.coalesce(mentions.c.likes, 0) + func.coalesce(mentions.c.reposts, 0)), 0
    )
    query = (
        select(
            mentions.c.author,
            func.count().label("n"),
            followers.label("followers"),
            engagement.label("engagement"),
            _negative().label("neg"),
        )
        .where(_in_window(brands, start, end), mentions.c.author.is_not(None), mentions.c.author != "")
        .group_by(mentions.c.author)
        .order_by(followers.desc(), engagement.desc(), mentions.c.author)
        .limit(limit)
    )
    return [AuthorRow(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4] or 0)) for r in conn.execute(query)]


def incident_times(
    conn: Connection, brands: Sequence[str], start: datetime, end: datetime
) -> list[tuple[dict[str, Any], IncidentTimes]]:
    """Incidents opened in the window, most severe and widest first, with their SLA inputs."""
    query = (
        select(incidents)
        .where(
            incidents.c.brand.in_(list(brands)),
            incidents.c.opened_at >= to_db(start),
            incidents.c.opened_at < to_db(end),
        )
        .order_by(incidents.c.severity, incidents.c.reach.desc(), incidents.c.id)
    )
    out = []
    for r in conn.execute(query).mappings():
        times = sla_times(r)
        out.append(
            (
                {
                    "id": r["id"],
                    "brand": r["brand"],
                    "severity": r["severity"],
                    "state": r["state"],
                    "title": r["title"],
                    "reach": int(r["reach"]),
                    "mentions": int(r["mention_count"]),
                },
                times,
            )
        )
    return out


def sources_of(conn: Connection, brands: Sequence[str]) -> list[tuple[int, str, datetime]]:
    """(id, name, created_at) of the sources matched against any of ``brands`` (the table is small)."""
    wanted = set(brands)
    rows = conn.execute(select(sources.c.id, sources.c.name, sources.c.brands, sources.c.created_at))
    return [(r.id, r.name, as_utc_required(r.created_at)) for r in rows if wanted & set(r.brands or ())]


def outages_between(
    conn: Connection, source_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[int, str, str | None, datetime, datetime | None]]:
    """Blind windows overlapping [start, end): (source_id, state, reason, started_at, ended_at or None)."""
    if not source_ids:
        return []
    query = (
        select(
            source_outages.c.source_id,
            source_outages.c.state,
            source_outages.c.reason,
            source_outages.c.started_at,
            source_outages.c.ended_at,
        )
        .where(
            source_outages.c.source_id.in_(list(source_ids)),
            source_outages.c.started_at < to_db(end),
            or_(source_outages.c.ended_at.is_(None), source_outages.c.ended_at > to_db(start)),
        )
        .order_by(source_outages.c.source_id, source_outages.c.started_at)
    )
    return [(r[0], r[1], r[2], as_utc_required(r[3]), as_utc(r[4])) for r in conn.execute(query)]


def enqueue_message(
    conn: Connection,
    *,
    idempotency_key: str,
    channel: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """One outbox row (no incident); False when a row with this key exists (another daemon, a rerun)."""
    values = {
        "idempotency_key": idempotency_key,
        "channel": channel,
        "incident_id": None,
        "severity": None,
        "kind": kind,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": to_db(now),
        "created_at": to_db(now),
    }
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(outbox)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[outbox.c.idempotency_key])
    )
    return bool(conn.execute(statement).rowcount)


def existing_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    """Which of these outbox idempotency keys are already queued (or sent)."""
    if not keys:
        return set()
    return set(
        conn.execute(
            select(outbox.c.idempotency_key).where(outbox.c.idempotency_key.in_(list(keys)))
        ).scalars()
    )


def source_names(conn: Connection) -> dict[int, str]:
    """Source id -> name (a small table; exports label each mention with it)."""
    return {r.id: r.name for r in conn.execute(select(sources.c.id, sources.c.name))}
