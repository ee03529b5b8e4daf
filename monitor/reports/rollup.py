"""Keeping the briefing rollups current: the daemon's tick, ``brandguard db rollup``, and a catch-up
before a brief when the rollup lags far behind (a database that was never summarised, an upgrade).

The rollup is exact whatever its lag (a brief adds the mentions above the watermark live); the lag only
costs time, so the brief itself summarises first when more than ``LAG_LIMIT`` mentions wait.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.engine import Engine

from monitor.storage import brief_rollup_repo as repo
from monitor.storage.transactions import read_transaction

log = logging.getLogger(__name__)
LAG_LIMIT = 20_000  # mentions above the watermark a brief will count live before summarising
BATCH = 50_000  # ids per transaction: on SQLite the write lock is held ~1 s per batch at most, not longer
TICK_S = 60


def lag(engine: Engine) -> int:
    """Mentions (by id) above the watermark."""
    with read_transaction(engine) as conn:
        return max(0, repo.max_mention_id(conn) - repo.read_mark(conn))


def refresh_rollup(engine: Engine, now: datetime, *, max_batches: int | None = None) -> int:
    """Fold the mentions above the watermark into the rollup; return how far the watermark moved."""
    moved = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with engine.begin() as conn:  # short: on PostgreSQL it holds a SHARE lock on mentions
            target = repo.safe_max_id(conn)
        if target is None:
            log.info("brief rollup: inserts held the mentions table, trying again at the next tick")
            break
        with engine.begin() as conn:
            before = repo.read_mark(conn)
            after = repo.summarise_upto(conn, target, now, batch=BATCH)
        moved += max(0, after - before)
        batches += 1
        if after >= target:
            break
    return moved


def catch_up(engine: Engine, now: datetime) -> None:
    """Summarise before a brief when the live part would be large."""
    if lag(engine) > LAG_LIMIT:
        refresh_rollup(engine, now)
