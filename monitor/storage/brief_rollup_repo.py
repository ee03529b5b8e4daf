"""Briefing rollups: mention counts per (brand, dimension, UTC hour, key), kept exact by a watermark.

``brief_rollup`` (and the story rollup of ``brief_groups_repo``) covers the mentions with ``id <= mark``
(``brief_rollup_mark``). ``summarise_upto`` folds the mentions above the mark into both and advances the
mark; the insert path does no extra work. A reader adds a live GROUP BY over the mentions above the mark
(``counts``), so a brief equals the raw rows whatever the summariser's lag. Writers that change a counted
column of a stored mention (delete, relabel) go through ``delete_mentions`` / ``relabel_mentions`` here,
which adjust the rollups in the same transaction.

Why a lock on PostgreSQL: ids come from a sequence and transactions commit in any order, so a mention
with id 100 can become visible after id 105. The summariser takes ``SHARE`` on ``mentions`` for an
instant (it waits for open inserting transactions and blocks new ones until it has read ``max(id)``), so
every id at or below the new mark is committed or gone. On SQLite writers are serialised anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, delete, func, literal, literal_column, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.elements import ColumnElement

from monitor.errors import StorageError
from monitor.storage import brief_groups_repo
from monitor.storage.brief_repo import platform_expression
from monitor.storage.schema import brief_rollup, brief_rollup_mark, mentions
from monitor.storage.times import to_db

MARK_NAME = "brief"
DIMS = ("label", "platform", "source")
# Columns of a stored mention the rollup counts by: a writer changing one must use this module.
COUNTED_COLUMNS = frozenset(
    {
        "brand",
        "published_at",
        "label",
        "url",
        "source_id",
        "story_key",
        "followers",
        "likes",
        "reposts",
    }
)


def _hour(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        # date_trunc on timestamptz truncates in the session zone: truncate the UTC wall time instead.
        utc = func.timezone("UTC", mentions.c.published_at)
        return func.timezone("UTC", func.date_trunc("hour", utc))
    # SQLite stores SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff" (UTC): keep the hour, zero the rest, so the
    # value compares and reads back like any bound datetime.
    return func.substr(mentions.c.published_at, 1, 13, type_=String).concat(":00:00.000000")


def _key(dim: str) -> ColumnElement[Any]:
    if dim == "label":
        return func.coalesce(mentions.c.label, "")
    if dim == "platform":
        return platform_expression()
    return func.coalesce(cast(mentions.c.source_id, String), "")


def negative_count() -> ColumnElement[Any]:
    return func.sum(case((mentions.c.label == "negative", 1), else_=0))


def _apply(conn: Connection, where: ColumnElement[bool], sign: int) -> None:
    """Add (sign=1) or take away (sign=-1) the mentions matching ``where`` in every dimension."""
    dialect = conn.dialect.name
    hour = _hour(dialect)
    for dim in DIMS:
        key = _key(dim)
        rows = (
            select(
                mentions.c.brand,
                literal(dim),
                hour,
                key,
                func.count() * sign,
                func.coalesce(negative_count(), 0) * sign,
            )
            .where(where)
            .group_by(mentions.c.brand, hour, key)
        )
        base: Any = (
            postgresql.insert(brief_rollup) if dialect == "postgresql" else sqlite.insert(brief_rollup)
        )
        statement = base.from_select(["brand", "dim", "hour", "key", "n", "negative"], rows)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["brand", "dim", "hour", "key"],
                set_={
                    "n": brief_rollup.c.n + statement.excluded.n,
                    "negative": brief_rollup.c.negative + statement.excluded.negative,
                },
            )
        )


def read_mark(conn: Connection, *, lock: bool = False) -> int:
    """The watermark; ``lock`` serialises summarisers and adjusting writers on its row (PostgreSQL)."""
    query = select(brief_rollup_mark.c.mark).where(brief_rollup_mark.c.name == MARK_NAME)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    value = conn.execute(query).scalar_one_or_none()
    return int(value) if value is not None else 0


def _write_mark(conn: Connection, mark: int, now: datetime) -> None:
    values = {"name": MARK_NAME, "mark": mark, "updated_at": to_db(now)}
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(brief_rollup_mark).values(**values)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"mark": values["mark"], "updated_at": values["updated_at"]}
        )
    )


def _lock_mark(conn: Connection, now: datetime) -> int:
    """The mark, its row created and locked, so concurrent adjusters queue behind one another."""
    if conn.dialect.name == "postgresql":
        statement = postgresql.insert(brief_rollup_mark).values(name=MARK_NAME, mark=0, updated_at=to_db(now))
        conn.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
    return read_mark(conn, lock=True)


def max_mention_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(mentions.c.id), 0))).scalar_one())


def safe_max_id(conn: Connection, *, lock_timeout_ms: int = 500) -> int | None:
    """The highest id below which every mention is committed or rolled back; None when PostgreSQL's
    ``SHARE`` lock was not granted in time (a long insert is running: try again at the next tick).
    Call it in its own short transaction: the lock is held until that transaction ends."""
    if conn.dialect.name != "postgresql":
        return max_mention_id(conn)
    conn.execute(text(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}"))
    try:
        with conn.begin_nested():
            conn.execute(text("LOCK TABLE mentions IN SHARE MODE"))
    except (OperationalError, StorageError):  # open_database wraps driver errors in StorageError
        return None
    return max_mention_id(conn)


def summarise_upto(conn: Connection, target: int, now: datetime, *, batch: int = 200_000) -> int:
    """Fold mentions with mark < id <= min(target, mark + batch) into the rollup; return the new mark."""
    mark = _lock_mark(conn, now)
    upto = min(target, mark + batch)
    if upto <= mark:
        return mark
    fresh = and_(mentions.c.id > mark, mentions.c.id <= upto)
    _apply(conn, fresh, 1)
    brief_groups_repo.add(conn, _hour(conn.dialect.name), fresh)
    _write_mark(conn, upto, now)
    return upto


def delete_mentions(conn: Connection, ids: Sequence[int], now: datetime) -> int:
    """Delete mentions (retention, an operator's removal) and take them out of the rollup."""
    id_list = list(ids)
    if not id_list:
        return 0
    mark = _lock_mark(conn, now)
    hour = _hour(conn.dialect.name)
    groups = brief_groups_repo.affected(conn, hour, id_list, mark)
    _apply(conn, and_(mentions.c.id.in_(id_list), mentions.c.id <= mark), -1)
    deleted = conn.execute(delete(mentions).where(mentions.c.id.in_(id_list))).rowcount
    brief_groups_repo.recompute(conn, hour, groups, mark)
    # SQLite reuses the highest rowid once it is deleted: a new mention could get an id <= mark and be
    # counted by neither side. The rollup now covers exactly the ids up to the highest one left.
    highest = max_mention_id(conn)
    if highest < mark:
        _write_mark(conn, highest, now)
    return int(deleted)


def relabel_mentions(conn: Connection, ids: Sequence[int], label: str | None, now: datetime) -> int:
    """Set the sentiment label of mentions (feedback, re-scoring), moving their counts in the rollup."""
    id_list = list(ids)
    if not id_list:
        return 0
    mark = _lock_mark(conn, now)
    hour = _hour(conn.dialect.name)
    groups = brief_groups_repo.affected(conn, hour, id_list, mark)
    counted = and_(mentions.c.id.in_(id_list), mentions.c.id <= mark)
    _apply(conn, counted, -1)
    changed = conn.execute(update(mentions).where(mentions.c.id.in_(id_list)).values(label=label)).rowcount
    _apply(conn, counted, 1)
    brief_groups_repo.recompute(conn, hour, groups, mark)
    return int(changed)


def counts(
    conn: Connection, dim: str, brands: Sequence[str], bounds: Sequence[datetime], mark: int
) -> dict[tuple[str, int, str], tuple[int, int]]:
    """(brand, segment, key) -> (mentions, negative) for the segments ``bounds[i] <= t < bounds[i+1]``,
    every bound a whole UTC hour: the rollup plus a live GROUP BY over the mentions above ``mark``."""
    out: dict[tuple[str, int, str], tuple[int, int]] = {}
    if not brands:
        return out
    lo, hi = to_db(bounds[0]), to_db(bounds[-1])
    segment = _segment(brief_rollup.c.hour, bounds).label("seg")
    stored = (
        select(
            brief_rollup.c.brand,
            segment,
            brief_rollup.c.key,
            func.sum(brief_rollup.c.n),
            func.sum(brief_rollup.c.negative),
        )
        .where(
            brief_rollup.c.brand.in_(list(brands)),
            brief_rollup.c.dim == dim,
            brief_rollup.c.hour >= lo,
            brief_rollup.c.hour < hi,
        )
        .group_by(brief_rollup.c.brand, segment, brief_rollup.c.key)
    )
    key = _key(dim).label("key")
    live_segment = _segment(mentions.c.published_at, bounds).label("seg")
    # Only the ids above the mark: walk the primary key, not the (brand, published_at) indexes, which
    # would visit the whole period. PostgreSQL's planner sees that from the statistics on id; SQLite's
    # needs the hint that few rows pass (it otherwise scans the narrower covering index).
    above: ColumnElement[Any] = mentions.c.id > mark
    if conn.dialect.name == "sqlite":
        above = func.likelihood(above, literal_column("0.0001"))
    live = (
        select(mentions.c.brand, live_segment, key, func.count(), func.coalesce(negative_count(), 0))
        .where(
            above,
            mentions.c.brand.in_(list(brands)),
            mentions.c.published_at >= lo,
            mentions.c.published_at < hi,
        )
        .group_by(mentions.c.brand, live_segment, key)
    )
    for query in (stored, live):
        for brand, seg, k, n, neg in conn.execute(query):
            was = out.get((brand, int(seg), k), (0, 0))
            out[(brand, int(seg), k)] = (was[0] + int(n), was[1] + int(neg or 0))
    return {k: v for k, v in out.items() if v[0]}


def _segment(column: Any, bounds: Sequence[datetime]) -> ColumnElement[Any]:
    whens = [(column < to_db(b), i) for i, b in enumerate(bounds[1:-1])]
    return case(*whens, else_=len(bounds) - 2) if whens else func.coalesce(0, 0)
