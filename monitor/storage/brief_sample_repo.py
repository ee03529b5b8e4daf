"""The text sample behind a brief's rising keywords, at a cost that does not grow with the mentions.

Each brand gets a share of the ``cap`` texts in proportion to its mentions in the period (the caller
knows the counts from the rollups); a brand with more mentions than its share is read as the first few
mentions of each of up to ``SLOTS`` equal time slots, each an index range scan with a LIMIT on
``ix_mentions_brand_published``. So the sample is spread over the period and the brands, is the same on
every run, and reads about ``cap`` rows whatever the period holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, func, select, union_all
from sqlalchemy.engine import Connection

from monitor.storage.schema import mentions
from monitor.storage.times import to_db

SLOTS = 24  # time slots per brand and period (SQLite allows 500 terms in one UNION ALL)
_STATEMENTS: dict[int, Any] = {}


def _statement(slots: int) -> Any:
    """One UNION ALL of ``slots`` slices with bound brand, bounds and limits, built once per size:
    building 24 selects per brand and period cost more than running them."""
    statement = _STATEMENTS.get(slots)
    if statement is None:
        parts = [
            select(
                select(
                    mentions.c.published_at,
                    mentions.c.id,
                    mentions.c.title,
                    func.substr(mentions.c.text, 1, 200).label("opening"),
                )
                .where(
                    mentions.c.brand == bindparam("brand"),
                    mentions.c.published_at >= bindparam(f"lo{i}", type_=mentions.c.published_at.type),
                    mentions.c.published_at < bindparam(f"hi{i}", type_=mentions.c.published_at.type),
                )
                .order_by(mentions.c.published_at, mentions.c.id)
                .limit(bindparam(f"n{i}", type_=Integer))
                # wrapped, so each slice keeps its own ORDER BY / LIMIT inside the UNION ALL (SQLite)
                .subquery()
            )
            for i in range(slots)
        ]
        statement = parts[0] if slots == 1 else union_all(*parts)
        _STATEMENTS[slots] = statement
    return statement


def text_sample(
    conn: Connection, counts: Mapping[str, int], start: datetime, end: datetime, *, cap: int
) -> list[str]:
    """At most about ``cap`` titles + text openings of the brands in ``counts`` (brand -> mentions in
    [start, end)), in time order per brand."""
    total = sum(n for n in counts.values() if n > 0)
    out: list[str] = []
    if not total:
        return out
    for brand in sorted(b for b, n in counts.items() if n > 0):
        quota = max(1, round(cap * counts[brand] / total))
        slots = 1 if counts[brand] <= quota else min(SLOTS, quota)
        width = (end - start) / slots
        params: dict[str, Any] = {"brand": brand}
        for i in range(slots):
            params[f"lo{i}"] = to_db(start + width * i)
            params[f"hi{i}"] = to_db(end if i == slots - 1 else start + width * (i + 1))
            params[f"n{i}"] = quota // slots + (1 if i < quota % slots else 0)
        rows = sorted(conn.execute(_statement(slots), params).all(), key=lambda r: (r[0], r[1]))
        out.extend(f"{title or ''} {opening or ''}".strip() for _at, _id, title, opening in rows)
    return out
