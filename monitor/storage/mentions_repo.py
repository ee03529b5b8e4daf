"""Mentions: idempotent insert, stored-key and near-duplicate lookups, listing, the hand-off to the policy.

The SimHash fingerprint is an unsigned 64-bit number, but SQLite integers and PostgreSQL ``BIGINT``
are signed 64-bit: values >= 2**63 would overflow. The repo stores the two's-complement signed value
and converts back on read, so callers only ever see the unsigned fingerprint.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, RowMapping

from monitor.storage.schema import mentions
from monitor.storage.times import as_utc_required, to_db

_U64 = 1 << 64
_I64_MAX = (1 << 63) - 1
_TIME_COLUMNS = frozenset({"published_at", "fetched_at"})


def fingerprint_to_db(value: int | None) -> int | None:
    """Unsigned 64-bit SimHash -> signed 64-bit storage value."""
    if value is None:
        return None
    if not 0 <= value < _U64:
        raise ValueError(f"fingerprint {value} is not an unsigned 64-bit integer")
    return value - _U64 if value > _I64_MAX else value


def fingerprint_from_db(value: int | None) -> int | None:
    """Signed 64-bit storage value -> unsigned 64-bit SimHash."""
    if value is None:
        return None
    return value + _U64 if value < 0 else value


@dataclass(frozen=True)
class MentionRow:
    """A stored mention; times are aware UTC, ``fingerprint`` is unsigned."""

    id: int
    source_id: int | None
    brand: str
    dedup_key: str
    fingerprint: int | None
    story_key: str
    title: str
    text: str
    url: str | None
    author: str | None
    published_at: datetime
    published_estimated: bool
    fetched_at: datetime
    followers: int | None
    likes: int | None
    reposts: int | None
    label: str | None
    p_negative: float | None
    risk_terms: tuple[str, ...]
    baseline: bool
    incident_id: int | None
    policy_done: bool
    comments: int | None = None
    # Columns other modules add to schema.py later land here until this class names them.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_mapping(cls, row: RowMapping) -> MentionRow:
        known = cls.__dataclass_fields__.keys() - {"extra"}
        return cls(
            id=row["id"],
            source_id=row["source_id"],
            brand=row["brand"],
            dedup_key=row["dedup_key"],
            fingerprint=fingerprint_from_db(row["fingerprint"]),
            story_key=row["story_key"],
            title=row["title"],
            text=row["text"],
            url=row["url"],
            author=row["author"],
            published_at=as_utc_required(row["published_at"]),
            published_estimated=bool(row["published_estimated"]),
            fetched_at=as_utc_required(row["fetched_at"]),
            followers=row["followers"],
            likes=row["likes"],
            reposts=row["reposts"],
            label=row["label"],
            p_negative=row["p_negative"],
            risk_terms=tuple(row["risk_terms"] or ()),
            baseline=bool(row["baseline"]),
            incident_id=row["incident_id"],
            policy_done=bool(row["policy_done"]),
            comments=row.get("comments"),
            extra={key: value for key, value in row.items() if key not in known},
        )


_COLUMNS = frozenset(mentions.c.keys())


def _to_db_values(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = values.keys() - _COLUMNS
    if unknown:
        raise ValueError(f"unknown mention columns: {', '.join(sorted(unknown))}")
    out = dict(values)
    out.pop("id", None)
    if "fingerprint" in out:
        out["fingerprint"] = fingerprint_to_db(out["fingerprint"])
    for key in _TIME_COLUMNS & out.keys():
        out[key] = to_db(out[key])
    if "risk_terms" in out:
        out["risk_terms"] = list(out["risk_terms"])
    return out


_INSERT_STATEMENTS: dict[str, Any] = {}


def _insert_statement(dialect: str) -> Any:
    """One prebuilt statement per dialect: building ``.values(**row)`` per call cost ~60% of an insert."""
    stmt = _INSERT_STATEMENTS.get(dialect)
    if stmt is None:
        if dialect == "postgresql":
            base: Any = postgresql.insert(mentions)
        elif dialect == "sqlite":
            base = sqlite.insert(mentions)
        else:  # pragma: no cover - open_database only accepts the two
            raise ValueError(f"unsupported dialect {dialect}")
        stmt = base.on_conflict_do_nothing(index_elements=["brand", "dedup_key"]).returning(mentions.c.id)
        _INSERT_STATEMENTS[dialect] = stmt
    return stmt


def insert_mention(conn: Connection, values: Mapping[str, Any]) -> tuple[int, bool]:
    """Insert unless (brand, dedup_key) exists; return (id, inserted).

    ``ON CONFLICT DO NOTHING`` makes concurrent inserts of the same item safe without catching
    IntegrityError (which would abort the caller's PostgreSQL transaction).
    """
    row = _to_db_values(values)
    new_id = conn.execute(_insert_statement(conn.dialect.name), row).scalar()
    if new_id is not None:
        return int(new_id), True
    existing = conn.execute(
        select(mentions.c.id).where(
            mentions.c.brand == row["brand"], mentions.c.dedup_key == row["dedup_key"]
        )
    ).scalar_one()
    return int(existing), False


def get_mention(conn: Connection, mention_id: int) -> MentionRow | None:
    row = conn.execute(select(mentions).where(mentions.c.id == mention_id)).mappings().first()
    return None if row is None else MentionRow.from_mapping(row)


def find_by_key(conn: Connection, brand: str, dedup_key: str) -> tuple[int, str] | None:
    """(id, story_key) of the brand's mention stored under ``dedup_key``, or None."""
    row = conn.execute(
        select(mentions.c.id, mentions.c.story_key).where(
            mentions.c.brand == brand, mentions.c.dedup_key == dedup_key
        )
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def stored_keys(
    conn: Connection, dedup_keys: Collection[str], brands: Collection[str] | None = None
) -> set[tuple[str, str]]:
    """(brand, dedup_key) pairs already stored among ``dedup_keys`` (of ``brands``, or any brand); one
    query for a document."""
    if not dedup_keys:
        return set()
    query = select(mentions.c.brand, mentions.c.dedup_key).where(mentions.c.dedup_key.in_(dedup_keys))
    if brands is not None:
        # Both columns of the unique index: with dedup_key alone SQLite scanned every stored mention for
        # every source, which made a 10,000-feed poll grow quadratically.
        query = query.where(mentions.c.brand.in_(brands))
    return {(brand, key) for brand, key in conn.execute(query)}


def recent_fingerprints(conn: Connection, brand: str, *, since: datetime) -> list[tuple[int, str]]:
    """(unsigned fingerprint, story_key) of the brand's mentions published since ``since``."""
    rows = conn.execute(
        select(mentions.c.fingerprint, mentions.c.story_key)
        .where(
            mentions.c.brand == brand,
            mentions.c.published_at >= to_db(since),
            mentions.c.fingerprint.is_not(None),
        )
        .order_by(mentions.c.published_at.desc(), mentions.c.id.desc())
    )
    return [(fingerprint_from_db(fp) or 0, story_key) for fp, story_key in rows]


def list_mentions(
    conn: Connection,
    *,
    brand: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    negative_only: bool = False,
    label: str | None = None,
    source_id: int | None = None,
    limit: int = 100,
) -> list[MentionRow]:
    """Newest first; ``since`` is inclusive, ``until`` exclusive (both on published_at)."""
    query = select(mentions)
    if brand is not None:
        query = query.where(mentions.c.brand == brand)
    if since is not None:
        query = query.where(mentions.c.published_at >= to_db(since))
    if until is not None:
        query = query.where(mentions.c.published_at < to_db(until))
    if negative_only:
        query = query.where(mentions.c.label == "negative")
    if label is not None:
        query = query.where(mentions.c.label == label)
    if source_id is not None:
        query = query.where(mentions.c.source_id == source_id)
    query = query.order_by(mentions.c.published_at.desc(), mentions.c.id.desc()).limit(limit)
    return [MentionRow.from_mapping(row) for row in conn.execute(query).mappings()]


def pending_policy(conn: Connection, limit: int) -> list[MentionRow]:
    """Non-baseline mentions not yet handed to the alert policy, oldest first."""
    query = (
        select(mentions)
        .where(mentions.c.policy_done.is_(False), mentions.c.baseline.is_(False))
        .order_by(mentions.c.id)
        .limit(limit)
    )
    return [MentionRow.from_mapping(row) for row in conn.execute(query).mappings()]


def mark_policy_done(conn: Connection, ids: Iterable[int]) -> int:
    """Mark mentions handed to the policy; returns how many rows changed."""
    id_list = list(ids)
    if not id_list:
        return 0
    result = conn.execute(update(mentions).where(mentions.c.id.in_(id_list)).values(policy_done=True))
    return result.rowcount


def fingerprints_since(conn: Connection, *, since: datetime) -> list[tuple[int, str, int, str, datetime]]:
    """(id, brand, unsigned fingerprint, story_key, published_at) of mentions published since ``since``."""
    rows = conn.execute(
        select(
            mentions.c.id,
            mentions.c.brand,
            mentions.c.fingerprint,
            mentions.c.story_key,
            mentions.c.published_at,
        ).where(mentions.c.published_at >= to_db(since), mentions.c.fingerprint.is_not(None))
    )
    return [(i, b, fingerprint_from_db(fp) or 0, s, as_utc_required(p)) for i, b, fp, s, p in rows]


def fingerprints_after(conn: Connection, *, after_id: int) -> list[tuple[int, str, int, str, datetime]]:
    """The same for mentions with an id above ``after_id``: a primary-key range, cheap at any table size."""
    rows = conn.execute(
        select(
            mentions.c.id,
            mentions.c.brand,
            mentions.c.fingerprint,
            mentions.c.story_key,
            mentions.c.published_at,
        )
        .where(mentions.c.id > after_id, mentions.c.fingerprint.is_not(None))
        .order_by(mentions.c.id)
    )
    return [(i, b, fingerprint_from_db(fp) or 0, s, as_utc_required(p)) for i, b, fp, s, p in rows]


def last_mention_id(conn: Connection) -> int:
    return int(conn.execute(select(func.max(mentions.c.id))).scalar() or 0)


def has_mentions(conn: Connection, source_id: int) -> bool:
    """Whether the source ever yielded a stored mention (an empty result from it is then suspect)."""
    found = conn.execute(select(mentions.c.id).where(mentions.c.source_id == source_id).limit(1)).first()
    return found is not None


def existing_dedup_keys(conn: Connection, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` are stored already (for any brand)."""
    wanted = list(keys)
    found: set[str] = set()
    for start in range(0, len(wanted), 900):  # under SQLite's bound-parameter limit
        chunk = wanted[start : start + 900]
        found.update(
            conn.execute(select(mentions.c.dedup_key).where(mentions.c.dedup_key.in_(chunk))).scalars()
        )
    return found


_BULK_STATEMENTS: dict[str, Any] = {}


def insert_new_mentions(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert a crawl's mentions in one executemany, skipping any (brand, dedup_key) already stored;
    returns how many were new. On SQLite the caller has already left out what it found stored
    (``stored_keys``), so there is no second lookup: ``ON CONFLICT DO NOTHING`` covers a concurrent
    writer and the row count says what was inserted. psycopg reports no row count for an executemany
    (-1), so PostgreSQL looks first (``insert_mentions_bulk``)."""
    if conn.dialect.name != "sqlite":
        return len(insert_mentions_bulk(conn, rows))
    return _insert_many(conn, rows)


def _insert_many(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
    if not rows:
        return 0
    dialect = conn.dialect.name
    stmt = _BULK_STATEMENTS.get(dialect)
    if stmt is None:
        base: Any = postgresql.insert(mentions) if dialect == "postgresql" else sqlite.insert(mentions)
        stmt = _BULK_STATEMENTS[dialect] = base.on_conflict_do_nothing(index_elements=["brand", "dedup_key"])
    return int(conn.execute(stmt, [_to_db_values(r) for r in rows]).rowcount)


def insert_mentions_bulk(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """Insert many mentions at once (one executemany), skipping stored (brand, dedup_key) pairs.

    Returns the (brand, dedup_key) pairs that were new. The existence check and the insert run in the
    caller's transaction; ``ON CONFLICT DO NOTHING`` still guards against a concurrent writer.
    """
    if not rows:
        return set()
    pairs = [(str(r["brand"]), str(r["dedup_key"])) for r in rows]
    present: set[tuple[str, str]] = set()
    keys = sorted({key for _, key in pairs})
    brands = sorted({brand for brand, _ in pairs})
    for start in range(0, len(keys), 900):  # SQLite's bound-parameter limit
        present |= stored_keys(conn, keys[start : start + 900], brands)
    fresh = [r for r, pair in zip(rows, pairs, strict=True) if pair not in present]
    _insert_many(conn, fresh)
    return {pair for pair in pairs if pair not in present}
