"""Deliver the durable outbox: claim due rows, ask the planner, send, record the outcome.

1. claim: due rows are claimed (``claimed_by`` + lease ``claimed_until``) in their own committed
   transaction before sending (``outbox_repo.claim_due``);
2. plan, per channel: ``alerts.delivery.plan_delivery`` decides what goes now, what waits until when
   (rate budget), and what is folded into a digest (quiet-hour backlog, overflow beyond the budget);
3. send with the channel's notifier (``alerts.notifiers.registry``), the idempotency key attached;
4. record: ``alerts.send_outcome`` says what the result means (sent / retry with backoff / rate limited /
   failed, channel disabled on a permanent error); the row, the channel's rate window and the audit entry
   are written in one transaction.

Crash safety: a crash between claim and send leaves the lease to expire; the next run sends again with
the same idempotency key, so the receiver can recognise the retry.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection, Engine

from alerts import ratelimit
from alerts.delivery import Digest, Item, Queued, is_urgent, plan_delivery
from alerts.errors import NotifierError
from alerts.message import render_digest
from alerts.notifiers.base import Notifier
from alerts.outgoing import HELD_QUIET, digest_key
from alerts.send_outcome import SENT, SendOutcome, after_error
from monitor.incidents.channels import channel_state, sent_window
from monitor.incidents.journal import SYSTEM_ACTOR, audit
from monitor.incidents.settings import build_notifier
from monitor.storage import channel_health_repo, outbox_repo
from monitor.storage.outbox_repo import OutboxRow

if TYPE_CHECKING:
    import httpx

    from monitor.config import Config
    from monitor.config.alerting import ChannelConfig

__all__ = ["LEASE", "build_notifier", "deliver_due", "worker_id"]

log = logging.getLogger("brandguard.notify")

LEASE = timedelta(minutes=2)
BATCH = 500


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def deliver_due(
    engine: Engine,
    config: Config,
    now: datetime,
    *,
    transport: httpx.BaseTransport | None = None,
    notifiers: Mapping[str, Notifier] | None = None,
) -> int:
    """Send every due outbox row; returns the number of messages delivered.

    ``notifiers`` (by channel name) replaces the configured ones; tests use it for e-mail fakes.
    """
    me = worker_id()
    channels = {c.name: c for c in config.channels}
    # Conditional update: concurrent daemons each get disjoint rows; an expired lease is fair game.
    with engine.begin() as conn:
        claimed = outbox_repo.claim_due(conn, me, now, lease=LEASE, limit=BATCH)
    by_channel: dict[str, list[OutboxRow]] = defaultdict(list)
    for row in claimed:
        by_channel[row.channel].append(row)
    delivered = 0
    for name, rows in by_channel.items():
        channel = channels.get(name)
        if channel is None:
            _fail_all(engine, rows, me, now, f"channel {name!r} is not configured")
            continue
        state = channel_state(engine, name, now)
        if state["disabled_at"] is not None:
            _fail_all(engine, rows, me, now, f"channel {name!r} disabled: {state['disabled_reason']}")
            continue
        notifier = (notifiers or {}).get(name)
        if notifier is None:
            guarded = transport
            if guarded is None and channel.url:
                # the same address guard as sources (issue 11); tests inject their own transport
                refused = refused_channel(channel.url, config)
                if refused is not None:
                    _fail_all(engine, rows, me, now, refused)
                    continue
                guarded = guarded_channel_transport(config)
            notifier = build_notifier(channel, transport=guarded)
        try:
            delivered += _deliver_channel(
                engine, config, name, channel, sent_window(state), notifier, rows, me, now
            )
        finally:
            notifier.close()
    return delivered


def _deliver_channel(
    engine: Engine,
    config: Config,
    channel: str,
    settings: ChannelConfig,
    window: list[datetime],
    notifier: Notifier,
    rows: list[OutboxRow],
    me: str,
    now: datetime,
) -> int:
    by_id = {r.id: r for r in rows}
    plan = plan_delivery(
        [
            Queued(r.id, r.severity, r.payload.get("held") == HELD_QUIET, is_urgent(r.severity, r.kind))
            for r in rows
        ],
        sent_window=window,
        per_minute=settings.rate_per_minute,
        now=now,
        urgent_reserve=settings.urgent_reserve,
    )
    digests = {
        d: _merge(engine, config, channel, d, [by_id[i] for i in d.members], me, now) for d in plan.digests
    }

    def row_of(item: Item) -> OutboxRow:
        return digests[item] if isinstance(item, Digest) else by_id[item]

    _release(engine, [row_of(i) for i in plan.hold], me, plan.hold_until)
    queue = [row_of(i) for i in plan.send]
    delivered = 0
    for index, row in enumerate(queue):
        outcome = _send_one(engine, channel, notifier, row, me, now)
        if outcome.status == "sent":
            delivered += 1
        rest = queue[index + 1 :]
        if outcome.rest == "fail":
            _fail_all(engine, rest, me, now, f"channel {channel!r} disabled")
            break
        if outcome.rest == "hold":
            assert outcome.rest_until is not None
            _release(engine, rest, me, outcome.rest_until)
            break
    return delivered


def _merge(
    engine: Engine,
    config: Config,
    channel: str,
    digest: Digest,
    rows: Sequence[OutboxRow],
    me: str,
    now: datetime,
) -> OutboxRow:
    """One digest row replacing ``rows`` (which become ``merged``), committed before sending."""
    payload = render_digest([r.payload for r in rows], max_items=config.alerts.digest.max_items)
    with engine.begin() as conn:
        row = outbox_repo.insert_digest(
            conn,
            idempotency_key=digest_key(channel, digest.members),
            channel=channel,
            severity=digest.severity,
            payload=payload,
            me=me,
            now=now,
            lease=LEASE,
        )
        outbox_repo.mark_merged(conn, digest.members, me, row.id)
    return row


def _send_one(
    engine: Engine, channel: str, notifier: Notifier, row: OutboxRow, me: str, now: datetime
) -> SendOutcome:
    """Send one row and record the outcome in one transaction."""
    attempts = row.attempts + 1
    error: str | None = None
    try:
        detail = notifier.send(row.payload, idempotency_key=row.idempotency_key, now=now)
        outcome = SENT
    except NotifierError as exc:
        detail = error = str(exc)
        outcome = after_error(exc, attempts=attempts, now=now)
    with engine.begin() as conn:
        outbox_repo.finish(
            conn,
            row.id,
            me,
            status=outcome.status,
            attempts=attempts,
            error=error,
            next_attempt_at=outcome.next_attempt_at,
            sent_at=now if outcome.status == "sent" else None,
        )
        if outcome.status == "sent":
            channel_health_repo.record_ok(conn, channel, now)
        else:
            channel_health_repo.record_failure(conn, channel, detail, now)
            log.warning(
                "channel %s: message %s not delivered (%s): %s", channel, row.id, outcome.status, detail
            )
        if outcome.status == "sent":
            # FOR UPDATE: concurrent senders on PostgreSQL must not lose each other's send times.
            recent = ratelimit.prune(outbox_repo.sent_window(conn, channel, for_update=True), now)
            outbox_repo.set_sent_window(conn, channel, [*recent, now], now)
        _audit_outcome(conn, row, outcome.audit_kind, detail, attempts, now)
        if outcome.disable_channel:
            reason = detail[:500]
            outbox_repo.disable_channel(conn, channel, reason, now)
            audit(
                conn,
                actor=SYSTEM_ACTOR,
                kind="notify.channel_disabled",
                subject=f"channel:{channel}",
                data={"reason": reason},
                now=now,
            )
    return outcome


def _subject(row: OutboxRow) -> str:
    return f"incident:{row.incident_id}" if row.incident_id is not None else f"outbox:{row.id}"


def _audit_outcome(
    conn: Connection, row: OutboxRow, kind: str, detail: str, attempts: int, now: datetime
) -> None:
    data: dict[str, Any] = {
        "outbox_id": row.id,
        "channel": row.channel,
        "message": row.kind,
        "idempotency_key": row.idempotency_key,
        "attempts": attempts,
        "detail": detail[:300],
    }
    audit(conn, actor=SYSTEM_ACTOR, kind=kind, subject=_subject(row), now=now, data=data)


def _release(engine: Engine, rows: Sequence[OutboxRow], me: str, next_attempt_at: datetime) -> None:
    if not rows:
        return
    with engine.begin() as conn:
        outbox_repo.release(conn, [r.id for r in rows], me, next_attempt_at)


def _fail_all(engine: Engine, rows: Sequence[OutboxRow], me: str, now: datetime, reason: str) -> None:
    if not rows:
        return
    with engine.begin() as conn:
        for row in rows:
            outbox_repo.finish(conn, row.id, me, status="failed", attempts=row.attempts, error=reason)
            _audit_outcome(conn, row, "notify.failed", reason, row.attempts, now)


def _policy(config: Config) -> Any:
    from monitor.fetch.channel_guard import channel_policy

    return channel_policy(config.daemon.allow_hosts, config.daemon.allow_networks)


def refused_channel(url: str, config: Config) -> str | None:
    """Why the address guard refuses to send to ``url`` now (resolving its host), or None."""
    from monitor.fetch.channel_guard import UnresolvableHost, check_url
    from monitor.fetch.errors import BlockedURLError

    try:
        check_url(url, _policy(config))
    except UnresolvableHost:
        return None  # DNS trouble is transient: the send fails and is retried like any transport error
    except BlockedURLError as exc:
        return f"channel url refused: {exc}"
    return None


def guarded_channel_transport(config: Config) -> httpx.BaseTransport:
    from monitor.fetch.channel_guard import guarded_sync_transport

    return guarded_sync_transport(_policy(config))
