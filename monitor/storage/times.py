"""UTC helpers at the database edge.

Every stored time is UTC. Two driver quirks make that easy to get wrong:

* SQLAlchemy's SQLite ``DATETIME`` formats ``year..microsecond`` and silently drops ``tzinfo``, so an
  aware non-UTC value would be stored as its local wall time. ``to_db`` converts to UTC first.
* SQLite hands values back naive; PostgreSQL hands them back in the session time zone. ``as_utc``
  turns both into aware UTC.

No clock reads here: callers pass ``now`` (cores stay testable, DESIGN.md).
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(value: datetime) -> datetime:
    """Return ``value`` in UTC for binding; a naive datetime is a bug (its zone is unknown)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: attach a time zone")
    return value.astimezone(UTC)


def to_db_optional(value: datetime | None) -> datetime | None:
    return None if value is None else to_db(value)


def as_utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetime from a value read back from the database (``None`` stays ``None``)."""
    if value is None:
        return None
    if value.tzinfo is None:
        # SQLite returns what we stored, which is always UTC (see to_db).
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def as_utc_required(value: datetime | None) -> datetime:
    """Like ``as_utc`` for NOT NULL columns, so callers get a plain ``datetime`` type."""
    if value is None:
        raise ValueError("expected a datetime, got NULL")
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
