"""Decided notifications into the durable outbox: one row per (notice, channel), in the caller's
transaction, so an incident change and its messages commit together.

What a message says, its idempotency key and whether quiet hours hold it are decided by
``alerts.outgoing``; this module loads the incident's top mention for the text and stores the rows.
An idempotency key that is already stored is left alone: the same decision taken twice is one message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection, RowMapping

from alerts.message import IncidentSnapshot
from alerts.outgoing import OutgoingMessage, RenderSettings, compose
from monitor.incidents.card_settings import with_cards
from monitor.incidents.settings import render_settings
from monitor.platforms.status import brand_blind_windows
from monitor.storage import incidents_repo, outbox_repo
from monitor.storage.incidents_repo import TopMention
from monitor.storage.times import as_utc_required

if TYPE_CHECKING:
    from monitor.config import Config

BLIND_LOOKBACK = timedelta(hours=6)


@dataclass(frozen=True)
class Notice:
    """One decided notification of an incident to a set of channels."""

    channels: Sequence[str]
    incident: RowMapping | Mapping[str, Any]
    kind: str  # message kind: opened | upgraded | reminder | escalation | breach
    event: str  # what makes it unique per incident, part of the idempotency key


def snapshot(row: RowMapping | Mapping[str, Any], tops: Mapping[int, TopMention]) -> IncidentSnapshot:
    """The incident as the message renderer sees it."""
    top_id = row["top_mention_id"]
    top_title, top_url = tops.get(top_id, ("", None)) if top_id is not None else ("", None)
    return IncidentSnapshot(
        id=row["id"],
        brand=row["brand"],
        severity=row["severity"],
        title=row["title"] or "",
        mention_count=row["mention_count"],
        negative_count=row["negative_count"],
        reach=row["reach"],
        respond_by=as_utc_required(row["respond_by"]),
        crisis_terms=tuple(row["crisis_terms"] or ()),
        top_title=top_title,
        top_url=top_url,
        max_p_negative=float(row.get("max_p_negative") or 0.0),
        state=str(row.get("state") or "open"),
        reason=str(row.get("reason") or ""),
    )


def enqueue_many(
    conn: Connection,
    config: Config,
    notices: Sequence[Notice],
    *,
    now: datetime,
    settings: RenderSettings | None = None,
) -> int:
    """Store the messages of ``notices``; returns how many rows were new."""
    notices = [n for n in notices if n.channels]
    if not notices:
        return 0
    settings = with_cards(conn, config, settings or render_settings(config), now)
    tops = incidents_repo.top_mentions(conn, [n.incident["top_mention_id"] for n in notices])
    messages: list[OutgoingMessage] = []
    for notice in notices:
        # Coverage of the brand around the story, so PR knows when "no more posts" may mean "not seen".
        blind = brand_blind_windows(conn, notice.incident["brand"], now - BLIND_LOOKBACK, now)
        messages += compose(
            notice.kind,
            notice.event,
            replace(snapshot(notice.incident, tops), blind=tuple(blind)),
            notice.channels,
            now=now,
            settings=settings,
        )
    existing = outbox_repo.existing_keys(conn, [m.idempotency_key for m in messages])
    fresh = [
        {
            "idempotency_key": m.idempotency_key,
            "channel": m.channel,
            "incident_id": m.incident_id,
            "severity": m.severity,
            "kind": m.kind,
            "payload": m.payload,
            "not_before": m.not_before,
            "created_at": now,
        }
        for m in messages
        if m.idempotency_key not in existing
    ]
    outbox_repo.insert_pending(conn, fresh)
    return len(fresh)
