"""The story rollup (``brief_rollup_group``) and the brief's top stories read from it.

Same watermark as ``brief_rollup`` (``monitor.storage.brief_rollup_repo`` moves it and calls ``add`` /
``affected`` / ``recompute`` here in the same transaction). ``first_id`` (the story's first mention)
cannot be taken back by subtraction, so a deleted or relabelled mention's groups are rebuilt from the
rows.
The ranking is computed in SQL over the rollup rows of the window plus the live mentions above the mark,
with the same expressions as ``brief_repo.top_stories``, so ties break the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, literal_column, select, type_coerce, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from monitor.storage.brief_repo import StoryRow, story_rows
from monitor.storage.schema import brief_rollup_group as grp
from monitor.storage.schema import mentions
from monitor.storage.times import to_db

# Authors are not rolled up: most accounts post once an hour or less, so per-hour author rows were as
# many as the mentions, more than doubled this table and ranked slower on PostgreSQL than the covering
# index brief_repo.top_authors reads (BENCHMARKS.md, "Briefings").
DIMS = {"story": mentions.c.story_key}


def _negative() -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((mentions.c.label == "negative", 1), else_=0)), 0)


def _rows(dim: str, hour: ColumnElement[Any], where: ColumnElement[bool]) -> Any:
    key = DIMS[dim]
    return (
        select(
            mentions.c.brand,
            literal(dim),
            hour,
            key,
            func.count(),
            _negative(),
            func.coalesce(func.sum(mentions.c.followers), 0),
            func.coalesce(func.sum(mentions.c.likes), 0),
            func.coalesce(func.sum(mentions.c.reposts), 0),
            func.min(mentions.c.id),
        )
        .where(where)
        .group_by(mentions.c.brand, hour, key)
    )


_COLUMNS = [
    "brand",
    "dim",
    "hour",
    "key",
    "n",
    "negative",
    "followers_sum",
    "likes",
    "reposts",
    "first_id",
]


def add(conn: Connection, hour: ColumnElement[Any], where: ColumnElement[bool]) -> None:
    """Fold the mentions matching ``where`` into their story groups."""
    dialect = conn.dialect.name
    for dim in DIMS:
        base: Any = postgresql.insert(grp) if dialect == "postgresql" else sqlite.insert(grp)
        statement = base.from_select(_COLUMNS, _rows(dim, hour, where))
        new = statement.excluded
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["brand", "dim", "hour", "key"],
                set_={
                    "n": grp.c.n + new.n,
                    "negative": grp.c.negative + new.negative,
                    "followers_sum": grp.c.followers_sum + new.followers_sum,
                    "likes": grp.c.likes + new.likes,
                    "reposts": grp.c.reposts + new.reposts,
                    "first_id": case((new.first_id < grp.c.first_id, new.first_id), else_=grp.c.first_id),
                },
            )
        )


def affected(
    conn: Connection, hour: ColumnElement[Any], ids: Sequence[int], mark: int
) -> list[tuple[str, str, Any, str]]:
    """(dim, brand, hour, key) of the rolled-up groups these mentions belong to."""
    out: list[tuple[str, str, Any, str]] = []
    hour = type_coerce(hour, grp.c.hour.type)  # SQLite builds the hour as text: read it as a datetime
    for dim, key in DIMS.items():
        query = (
            select(mentions.c.brand, hour, key)
            .where(mentions.c.id.in_(list(ids)), mentions.c.id <= mark, key.is_not(None))
            .distinct()
        )
        out.extend((dim, brand, at, k) for brand, at, k in conn.execute(query))
    return out


def recompute(
    conn: Connection, hour: ColumnElement[Any], groups: Sequence[tuple[str, str, Any, str]], mark: int
) -> None:
    """Rebuild these groups from the rows still stored with id <= mark (after a delete or relabel)."""
    as_time = type_coerce(hour, grp.c.hour.type)
    for dim, brand, at, key in groups:
        conn.execute(
            delete(grp).where(grp.c.dim == dim, grp.c.brand == brand, grp.c.hour == at, grp.c.key == key)
        )
        where = and_(mentions.c.id <= mark, mentions.c.brand == brand, DIMS[dim] == key, as_time == at)
        conn.execute(grp.insert().from_select(_COLUMNS, _rows(dim, hour, where)))


def _union(
    conn: Connection,
    dim: str,
    brands: Sequence[str],
    start: datetime,
    end: datetime,
    mark: int,
    recent_since: datetime,
) -> Any:
    """Rollup rows of the window and the live mentions above the mark, in one shape."""
    stored = select(
        grp.c.brand.label("brand"),
        grp.c.key.label("key"),
        grp.c.n.label("n"),
        grp.c.negative.label("negative"),
        grp.c.followers_sum.label("followers_sum"),
        grp.c.likes.label("likes"),
        grp.c.reposts.label("reposts"),
        case((grp.c.hour >= to_db(recent_since), grp.c.n), else_=0).label("recent"),
        grp.c.first_id.label("first_id"),
    ).where(
        grp.c.brand.in_(list(brands)),
        grp.c.dim == dim,
        grp.c.hour >= to_db(start),
        grp.c.hour < to_db(end),
    )
    above: ColumnElement[Any] = mentions.c.id > mark
    if conn.dialect.name == "sqlite":  # walk the primary key (see brief_rollup_repo.counts)
        above = func.likelihood(above, literal_column("0.0001"))
    live_where = and_(
        above,
        mentions.c.brand.in_(list(brands)),
        mentions.c.published_at >= to_db(start),
        mentions.c.published_at < to_db(end),
    )
    live = select(
        mentions.c.brand,
        DIMS[dim].label("key"),
        literal(1).label("n"),
        case((mentions.c.label == "negative", 1), else_=0).label("negative"),
        func.coalesce(mentions.c.followers, 0).label("followers_sum"),
        func.coalesce(mentions.c.likes, 0).label("likes"),
        func.coalesce(mentions.c.reposts, 0).label("reposts"),
        case((mentions.c.published_at >= to_db(recent_since), 1), else_=0).label("recent"),
        mentions.c.id.label("first_id"),
    ).where(live_where)
    return union_all(stored, live).subquery()


def top_stories(
    conn: Connection,
    brands: Sequence[str],
    start: datetime,
    end: datetime,
    mark: int,
    *,
    recent_since: datetime,
    limit: int = 10,
) -> list[StoryRow]:
    """``brief_repo.top_stories`` from the rollup: the same rows, ranked by the same heat."""
    u = _union(conn, "story", brands, start, end, mark, recent_since)
    count = func.sum(u.c.n)
    reach, likes, reposts = func.sum(u.c.followers_sum), func.sum(u.c.likes), func.sum(u.c.reposts)
    heat = count + reposts / 10.0 + likes / 100.0 + reach / 10000.0
    query = (
        select(
            u.c.key,
            u.c.brand,
            count,
            func.sum(u.c.negative),
            reach,
            likes,
            reposts,
            func.sum(u.c.recent),
            func.min(u.c.first_id),
        )
        .group_by(u.c.key, u.c.brand)
        .order_by(heat.desc(), u.c.key)
        .limit(limit)
    )
    return story_rows(conn, conn.execute(query).all())
