"""Deliver the durable outbox: claim due rows, send, record the outcome.

Crash safety: a row is claimed (``claimed_by`` + lease ``claimed_until``) in its own committed
transaction before sending. A crash between claim and send leaves the lease to expire; the next run
sends again with the same idempotency key, so the receiver can recognise the retry. Outcomes:

* success (the platform's own code says so) -> ``sent``; the send time joins the channel's rate window;
* rate limited -> retried a minute later; overflow beyond a channel's per-minute budget is merged
  into one digest message (members become ``merged``), and quiet-hour backlogs are merged the same way;
* transient error -> retried with exponential backoff (``alerts.backoff``), ``failed`` at the end;
* permanent error (bad key, bad signature) -> the channel is disabled in ``channel_state`` with the
  reason, shown by ``brandguard alerts channels``; its pending rows fail with that reason.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError

from alerts import ratelimit
from alerts.backoff import retry_delay
from alerts.errors import NotifierError, RateLimited
from alerts.message import render_digest
from alerts.notifiers.base import Notifier
from alerts.severity import rank
from monitor.incidents.common import SYSTEM_ACTOR, audit
from monitor.storage.schema import channel_state, outbox
from monitor.storage.times import as_utc, to_db

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.config.alerting import ChannelConfig

LEASE = timedelta(minutes=2)
RATE_LIMIT_RETRY = timedelta(minutes=1)
BATCH = 500


def build_notifier(
    channel: ChannelConfig,
    *,
    transport: httpx.BaseTransport | None = None,
    environ: Mapping[str, str] | None = None,
) -> Notifier:
    """The notifier for a configured channel; secrets are read from the named environment variables."""
    from alerts.notifiers.dingtalk import DingTalkNotifier
    from alerts.notifiers.email import EmailNotifier
    from alerts.notifiers.feishu import FeishuNotifier
    from alerts.notifiers.webhook import WebhookNotifier
    from alerts.notifiers.wecom import WeComNotifier

    env = os.environ if environ is None else environ
    secret = env.get(channel.secret_env) if channel.secret_env else None
    if channel.kind == "email":
        smtp = channel.smtp
        assert smtp is not None  # enforced by ChannelConfig validation
        password = env.get(smtp.password_env) if smtp.password_env else None
        return EmailNotifier(
            host=smtp.host,
            port=smtp.port,
            sender=smtp.sender,
            recipients=smtp.recipients,
            starttls=smtp.starttls,
            username=smtp.username,
            password=password,
            timeout_s=smtp.timeout_s,
        )
    url = channel.url or ""
    if channel.kind == "webhook":
        return WebhookNotifier(url, secret=secret, transport=transport, timeout_s=channel.timeout_s)
    if channel.kind == "wecom":
        key = env.get(channel.key_env) if channel.key_env else None
        return WeComNotifier(url, key=key, transport=transport, timeout_s=channel.timeout_s)
    if channel.kind == "dingtalk":
        return DingTalkNotifier(url, secret=secret, transport=transport, timeout_s=channel.timeout_s)
    return FeishuNotifier(url, secret=secret, transport=transport, timeout_s=channel.timeout_s)


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
    claimed = _claim(engine, me, now)
    by_channel: dict[str, list[RowMapping]] = defaultdict(list)
    for row in claimed:
        by_channel[row["channel"]].append(row)
    delivered = 0
    for name, rows in by_channel.items():
        channel = channels.get(name)
        if channel is None:
            _fail_all(engine, rows, me, now, f"channel {name!r} is not configured")
            continue
        state = _channel_state(engine, name, now)
        if state["disabled_at"] is not None:
            _fail_all(engine, rows, me, now, f"channel {name!r} disabled: {state['disabled_reason']}")
            continue
        notifier = (notifiers or {}).get(name) or build_notifier(channel, transport=transport)
        try:
            delivered += _deliver_channel(engine, config, channel, notifier, rows, me, now)
        finally:
            notifier.close()
    return delivered


def _claim(engine: Engine, me: str, now: datetime) -> list[RowMapping]:
    # Conditional update: concurrent daemons each get disjoint rows; an expired lease is fair game.
    due = (
        (outbox.c.status == "pending")
        & (outbox.c.next_attempt_at <= to_db(now))
        & or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < to_db(now))
    )
    with engine.begin() as conn:
        ids = list(conn.execute(select(outbox.c.id).where(due).order_by(outbox.c.id).limit(BATCH)).scalars())
        if not ids:
            return []
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids), due)
            .values(claimed_by=me, claimed_until=to_db(now + LEASE))
        )
        return list(
            conn.execute(
                select(outbox).where(outbox.c.id.in_(ids), outbox.c.claimed_by == me).order_by(outbox.c.id)
            ).mappings()
        )


def _channel_state(engine: Engine, name: str, now: datetime) -> dict[str, Any]:
    with engine.begin() as conn:
        row = conn.execute(select(channel_state).where(channel_state.c.name == name)).mappings().first()
    if row is not None:
        return dict(row)
    try:
        with engine.begin() as conn:
            conn.execute(insert(channel_state).values(name=name, sent_window=[], updated_at=to_db(now)))
    except IntegrityError:
        pass  # another daemon created it first; read theirs
    with engine.begin() as conn:
        return dict(conn.execute(select(channel_state).where(channel_state.c.name == name)).mappings().one())


def _sent_window(state: Mapping[str, Any]) -> list[datetime]:
    return [datetime.fromisoformat(t) for t in state.get("sent_window") or []]


def _deliver_channel(
    engine: Engine,
    config: Config,
    channel: ChannelConfig,
    notifier: Notifier,
    rows: list[RowMapping],
    me: str,
    now: datetime,
) -> int:
    state = _channel_state(engine, channel.name, now)
    budget = ratelimit.budget(_sent_window(state), now, channel.rate_per_minute)
    held = [r for r in rows if (r["payload"] or {}).get("held") == "quiet"]
    normal = sorted((r for r in rows if r not in held), key=lambda r: (rank(r["severity"] or "P3"), r["id"]))
    batches: list[RowMapping] = []
    if len(held) > 1:
        batches.append(_merge(engine, config, channel.name, held, me, now))
    else:
        normal = sorted(held + normal, key=lambda r: (rank(r["severity"] or "P3"), r["id"]))
    if budget <= 0:
        _release(
            engine,
            [*batches, *normal],
            me,
            ratelimit.next_free_at(_sent_window(state), now, channel.rate_per_minute),
        )
        return 0
    room = budget - len(batches)
    if len(normal) > room:
        # Keep the most severe as single messages, fold the rest into one digest.
        keep = max(0, room - 1)
        overflow = normal[keep:]
        normal = normal[:keep]
        batches.append(_merge(engine, config, channel.name, overflow, me, now))
    queue = [*normal, *batches]
    # Two digests (quiet backlog + overflow) can exceed a budget of one; the rest waits a minute.
    _release(engine, queue[budget:], me, now + RATE_LIMIT_RETRY)
    queue = queue[:budget]
    delivered = 0
    for index, row in enumerate(queue):
        outcome, retry_after = _send_one(engine, channel.name, notifier, row, me, now)
        if outcome == "sent":
            delivered += 1
        elif outcome in ("rate_limited", "disabled"):
            rest = queue[index + 1 :]
            if outcome == "disabled":
                _fail_all(engine, rest, me, now, f"channel {channel.name!r} disabled")
            else:
                _release(engine, rest, me, now + retry_after)
            break
    return delivered


def _merge(
    engine: Engine, config: Config, channel: str, rows: Sequence[RowMapping], me: str, now: datetime
) -> RowMapping:
    """One digest row replacing ``rows`` (which become ``merged``), committed before sending."""
    ids = sorted(r["id"] for r in rows)
    key = "digest-" + hashlib.sha256(f"{channel}|{ids}".encode()).hexdigest()[:32]
    payload = render_digest([r["payload"] for r in rows], max_items=config.alerts.digest.max_items)
    severity = min((r["severity"] or "P3" for r in rows), key=rank)
    with engine.begin() as conn:
        digest_id = conn.execute(
            insert(outbox)
            .values(
                idempotency_key=key,
                channel=channel,
                incident_id=None,
                severity=severity,
                kind="digest",
                payload=payload,
                status="pending",
                attempts=0,
                next_attempt_at=to_db(now),
                claimed_by=me,
                claimed_until=to_db(now + LEASE),
                created_at=to_db(now),
            )
            .returning(outbox.c.id)
        ).scalar_one()
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids), outbox.c.claimed_by == me)
            .values(
                status="merged",
                last_error=f"merged into digest {digest_id}",
                claimed_by=None,
                claimed_until=None,
            )
        )
        return conn.execute(select(outbox).where(outbox.c.id == digest_id)).mappings().one()


def _send_one(
    engine: Engine, channel: str, notifier: Notifier, row: RowMapping, me: str, now: datetime
) -> tuple[str, timedelta]:
    """Send one row and record the outcome: ``(sent|retry|rate_limited|disabled, wait before more)``."""
    attempts = int(row["attempts"]) + 1
    subject = f"incident:{row['incident_id']}" if row["incident_id"] is not None else f"outbox:{row['id']}"
    try:
        detail = notifier.send(row["payload"], idempotency_key=row["idempotency_key"], now=now)
    except RateLimited as exc:
        with engine.begin() as conn:
            _finish(
                conn,
                row,
                me,
                status="pending",
                attempts=attempts,
                error=str(exc),
                next_attempt_at=now + timedelta(seconds=exc.retry_after_s),
            )
            _audit_outcome(conn, row, "notify.rate_limited", subject, str(exc), attempts, now)
        return "rate_limited", timedelta(seconds=exc.retry_after_s)
    except NotifierError as exc:
        delay = None if exc.permanent else retry_delay(attempts)
        with engine.begin() as conn:
            if delay is None:
                _finish(conn, row, me, status="failed", attempts=attempts, error=str(exc))
            else:
                _finish(
                    conn,
                    row,
                    me,
                    status="pending",
                    attempts=attempts,
                    error=str(exc),
                    next_attempt_at=now + delay,
                )
            _audit_outcome(
                conn,
                row,
                "notify.failed" if delay is None else "notify.retry",
                subject,
                str(exc),
                attempts,
                now,
            )
            if exc.permanent:
                conn.execute(
                    update(channel_state)
                    .where(channel_state.c.name == channel)
                    .values(disabled_at=to_db(now), disabled_reason=str(exc)[:500], updated_at=to_db(now))
                )
                audit(
                    conn,
                    actor=SYSTEM_ACTOR,
                    kind="notify.channel_disabled",
                    subject=f"channel:{channel}",
                    data={"reason": str(exc)[:500]},
                    now=now,
                )
        return ("disabled" if exc.permanent else "retry"), RATE_LIMIT_RETRY
    with engine.begin() as conn:
        _finish(conn, row, me, status="sent", attempts=attempts, error=None, sent_at=now)
        # FOR UPDATE: concurrent senders on PostgreSQL must not lose each other's send times.
        state = conn.execute(
            select(channel_state.c.sent_window).where(channel_state.c.name == channel).with_for_update()
        ).first()
        window = ratelimit.prune([datetime.fromisoformat(t) for t in (state[0] if state else []) or []], now)
        window.append(now)
        conn.execute(
            update(channel_state)
            .where(channel_state.c.name == channel)
            .values(sent_window=[t.isoformat() for t in window], updated_at=to_db(now))
        )
        _audit_outcome(conn, row, "notify.sent", subject, detail, attempts, now)
    return "sent", timedelta(0)


def _finish(
    conn: Connection,
    row: RowMapping,
    me: str,
    *,
    status: str,
    attempts: int,
    error: str | None,
    next_attempt_at: datetime | None = None,
    sent_at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {
        "status": status,
        "attempts": attempts,
        "last_error": error,
        "claimed_by": None,
        "claimed_until": None,
    }
    if next_attempt_at is not None:
        values["next_attempt_at"] = to_db(next_attempt_at)
    if sent_at is not None:
        values["sent_at"] = to_db(sent_at)
    conn.execute(update(outbox).where(outbox.c.id == row["id"], outbox.c.claimed_by == me).values(**values))


def _audit_outcome(
    conn: Connection, row: RowMapping, kind: str, subject: str, detail: str, attempts: int, now: datetime
) -> None:
    audit(
        conn,
        actor=SYSTEM_ACTOR,
        kind=kind,
        subject=subject,
        now=now,
        data={
            "outbox_id": row["id"],
            "channel": row["channel"],
            "message": row["kind"],
            "idempotency_key": row["idempotency_key"],
            "attempts": attempts,
            "detail": detail[:300],
        },
    )


def _release(engine: Engine, rows: Sequence[RowMapping], me: str, next_attempt_at: datetime) -> None:
    if not rows:
        return
    with engine.begin() as conn:
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_([r["id"] for r in rows]), outbox.c.claimed_by == me)
            .values(claimed_by=None, claimed_until=None, next_attempt_at=to_db(next_attempt_at))
        )


def _fail_all(engine: Engine, rows: Sequence[RowMapping], me: str, now: datetime, reason: str) -> None:
    if not rows:
        return
    with engine.begin() as conn:
        for row in rows:
            _finish(conn, row, me, status="failed", attempts=int(row["attempts"]), error=reason)
            subject = (
                f"incident:{row['incident_id']}" if row["incident_id"] is not None else f"outbox:{row['id']}"
            )
            _audit_outcome(conn, row, "notify.failed", subject, reason, int(row["attempts"]), now)


def channel_status(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(channel_state).order_by(channel_state.c.name)).mappings()
    return [{**dict(r), "disabled_at": as_utc(r["disabled_at"])} for r in rows]


def enable_channel(engine: Engine, name: str, *, actor: str, now: datetime) -> bool:
    """Re-enable a channel disabled by a permanent error (after the operator fixed the key)."""
    with engine.begin() as conn:
        changed = conn.execute(
            update(channel_state)
            .where(channel_state.c.name == name, channel_state.c.disabled_at.is_not(None))
            .values(disabled_at=None, disabled_reason=None, updated_at=to_db(now))
        ).rowcount
        if changed:
            audit(
                conn, actor=actor, kind="notify.channel_enabled", subject=f"channel:{name}", data={}, now=now
            )
        return bool(changed)
