"""Work queued behind the crawl, counted for back-pressure and /metrics.

Mentions waiting for the alert policy (``policy_done`` false) and outbox rows waiting to be sent
(``status = 'pending'``). Both counts use an index (ix_mentions_policy_pending, ix_outbox_pending).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from monitor.storage.schema import mentions, outbox


@dataclass(frozen=True)
class Backlog:
    pending_mentions: int
    pending_outbox: int


def read_backlog(conn: Connection) -> Backlog:
    pending_mentions = conn.execute(
        select(func.count()).select_from(mentions).where(mentions.c.policy_done.is_(False))
    ).scalar_one()
    pending_outbox = conn.execute(
        select(func.count()).select_from(outbox).where(outbox.c.status == "pending")
    ).scalar_one()
    return Backlog(int(pending_mentions), int(pending_outbox))
