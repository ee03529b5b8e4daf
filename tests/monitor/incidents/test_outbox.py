from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from monitor import incidents
from monitor.incidents import deliver_due, enable_channel
from monitor.storage.schema import audit_log, channel_state, outbox
from monitor.storage.times import to_db
from tests.monitor.incidents.helpers import T0, Recorder, add_mention, make_config


def _outbox(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(outbox).order_by(outbox.c.id)).mappings()]


def _open(engine: Engine, n: int, cfg: Any, *, p: float = 0.9) -> None:
    for i in range(n):
        add_mention(engine, story=f"s{i}", p_negative=p)
    incidents.process_pending_mentions(engine, cfg, T0)


def test_sent_with_idempotency_key_and_audited(engine: Engine) -> None:
    cfg = make_config()
    _open(engine, 1, cfg)
    rec = Recorder()
    assert deliver_due(engine, cfg, T0, transport=rec.transport) == 1
    [row] = _outbox(engine)
    assert row["status"] == "sent" and row["attempts"] == 1 and row["claimed_by"] is None
    assert rec.requests[0].headers["Idempotency-Key"] == row["idempotency_key"]
    assert deliver_due(engine, cfg, T0 + timedelta(minutes=1), transport=rec.transport) == 0
    assert len(rec.requests) == 1
    with engine.connect() as conn:
        kinds = [r.kind for r in conn.execute(select(audit_log.c.kind))]
    assert "notify.sent" in kinds


def test_rate_limit_overflow_becomes_one_digest(sqlite_engine: Engine) -> None:
    cfg = make_config(
        channels=[{"name": "pr", "kind": "webhook", "url": "http://h.test/", "rate_per_minute": 5}],
        routes=[{"channels": ["pr"]}],
    )
    _open(sqlite_engine, 12, cfg)
    rec = Recorder()
    assert deliver_due(sqlite_engine, cfg, T0, transport=rec.transport) == 5
    kinds = [b["kind"] for b in rec.bodies()]
    assert kinds == ["opened"] * 4 + ["digest"]
    digest = rec.bodies()[-1]
    assert len(digest["items"]) == 8 and "8 条通知" in digest["title"]
    statuses = [r["status"] for r in _outbox(sqlite_engine)]
    assert statuses.count("merged") == 8 and statuses.count("sent") == 5


def test_rate_budget_spent_waits_for_the_window(sqlite_engine: Engine) -> None:
    cfg = make_config(
        channels=[{"name": "pr", "kind": "webhook", "url": "http://h.test/", "rate_per_minute": 1}],
        routes=[{"channels": ["pr"]}],
    )
    _open(sqlite_engine, 1, cfg)
    rec = Recorder()
    deliver_due(sqlite_engine, cfg, T0, transport=rec.transport)
    add_mention(sqlite_engine, story="later")
    incidents.process_pending_mentions(sqlite_engine, cfg, T0 + timedelta(seconds=10))
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(seconds=10), transport=rec.transport) == 0
    pending = [r for r in _outbox(sqlite_engine) if r["status"] == "pending"]
    assert len(pending) == 1 and pending[0]["claimed_by"] is None
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(seconds=61), transport=rec.transport) == 1


def test_urgent_reserve_keeps_room_for_a_p1_under_the_platform_limit(sqlite_engine: Engine) -> None:
    """Routine notices leave one send of the minute free: a P1 that follows stays within 3/min."""
    cfg = make_config(
        channels=[
            {
                "name": "pr",
                "kind": "webhook",
                "url": "http://h.test/",
                "rate_per_minute": 3,
                "urgent_reserve": 1,
            }
        ],
        routes=[{"channels": ["pr"]}],
    )
    _open(sqlite_engine, 5, cfg)
    rec = Recorder()
    assert deliver_due(sqlite_engine, cfg, T0, transport=rec.transport) == 2  # one single + one digest
    assert [b["kind"] for b in rec.bodies()] == ["opened", "digest"]
    add_mention(sqlite_engine, story="big", p_negative=0.9, followers=500_000)
    incidents.process_pending_mentions(sqlite_engine, cfg, T0 + timedelta(seconds=10))
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(seconds=10), transport=rec.transport) == 1
    assert rec.bodies()[-1]["severity"] == "P1"
    assert len(rec.requests) == 3  # the platform's 3 per minute, P1 included


def test_urgent_reserve_must_leave_routine_sends() -> None:
    import pytest
    from pydantic import ValidationError

    channel = {"name": "pr", "kind": "webhook", "url": "http://h.test/", "rate_per_minute": 2}
    with pytest.raises(ValidationError, match="urgent_reserve"):
        make_config(channels=[{**channel, "urgent_reserve": 2}], routes=[{"channels": ["pr"]}])
    assert make_config(channels=[{**channel, "urgent_reserve": 1}], routes=[{"channels": ["pr"]}])


def test_platform_rate_limit_code_retries_later(sqlite_engine: Engine) -> None:
    cfg = make_config(
        channels=[{"name": "pr", "kind": "wecom", "url": "http://wecom.test/send"}],
        routes=[{"channels": ["pr"]}],
    )
    _open(sqlite_engine, 2, cfg)
    rec = Recorder([httpx.Response(200, json={"errcode": 45009, "errmsg": "freq"})])
    assert deliver_due(sqlite_engine, cfg, T0, transport=rec.transport) == 0
    assert len(rec.requests) == 1  # stopped after the platform said "too many"
    assert all(r["status"] == "pending" for r in _outbox(sqlite_engine))
    rec.answers = [httpx.Response(200, json={"errcode": 0})] * 2
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(seconds=30), transport=rec.transport) == 0
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(minutes=1), transport=rec.transport) == 2


def test_transient_error_backs_off_then_succeeds(sqlite_engine: Engine) -> None:
    cfg = make_config()
    _open(sqlite_engine, 1, cfg)
    rec = Recorder([httpx.Response(503), httpx.Response(503)])
    deliver_due(sqlite_engine, cfg, T0, transport=rec.transport)
    row = _outbox(sqlite_engine)[0]
    assert row["status"] == "pending" and row["attempts"] == 1 and "503" in row["last_error"]
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(seconds=14), transport=rec.transport) == 0
    deliver_due(sqlite_engine, cfg, T0 + timedelta(seconds=15), transport=rec.transport)
    assert _outbox(sqlite_engine)[0]["attempts"] == 2
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(seconds=45), transport=rec.transport) == 1
    assert len({r.headers["Idempotency-Key"] for r in rec.requests}) == 1  # the retry is recognisable


def test_permanent_error_disables_channel(sqlite_engine: Engine) -> None:
    cfg = make_config(
        channels=[{"name": "pr", "kind": "dingtalk", "url": "http://ding.test/send"}],
        routes=[{"channels": ["pr"]}],
    )
    _open(sqlite_engine, 3, cfg)
    rec = Recorder([httpx.Response(200, json={"errcode": 310000, "errmsg": "sign not match"})])
    assert deliver_due(sqlite_engine, cfg, T0, transport=rec.transport) == 0
    assert len(rec.requests) == 1
    assert [r["status"] for r in _outbox(sqlite_engine)] == ["failed"] * 3
    with sqlite_engine.connect() as conn:
        state = conn.execute(select(channel_state)).mappings().one()
    assert state["disabled_at"] is not None and "310000" in state["disabled_reason"]
    # later messages fail fast with the reason instead of hammering a broken bot
    add_mention(sqlite_engine, story="again")
    incidents.process_pending_mentions(sqlite_engine, cfg, T0)
    deliver_due(sqlite_engine, cfg, T0 + timedelta(minutes=1), transport=rec.transport)
    assert len(rec.requests) == 1 and "disabled" in _outbox(sqlite_engine)[-1]["last_error"]
    assert enable_channel(sqlite_engine, "pr", actor="ops", now=T0)


def test_expired_lease_is_sent_again_with_the_same_key(sqlite_engine: Engine) -> None:
    """A daemon that died between claim and send: the next one sends after the lease, same key."""
    cfg = make_config()
    _open(sqlite_engine, 1, cfg)
    with sqlite_engine.begin() as conn:
        conn.execute(update(outbox).values(claimed_by="dead", claimed_until=to_db(T0 + timedelta(minutes=2))))
    rec = Recorder()
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(minutes=1), transport=rec.transport) == 0
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(minutes=3), transport=rec.transport) == 1
    assert rec.requests[0].headers["Idempotency-Key"] == _outbox(sqlite_engine)[0]["idempotency_key"]


def test_quiet_hours_hold_low_severity_as_one_digest(sqlite_engine: Engine) -> None:
    cfg = make_config({"quiet_hours": {"start": "22:00", "end": "08:00"}}, routes=[{"channels": ["pr"]}])
    night = T0.replace(hour=15)  # 23:00 Shanghai
    for i in range(3):
        add_mention(sqlite_engine, story=f"q{i}", p_negative=0.8)
    add_mention(sqlite_engine, story="big", p_negative=0.8, followers=500_000)
    incidents.process_pending_mentions(sqlite_engine, cfg, night)
    rec = Recorder()
    assert deliver_due(sqlite_engine, cfg, night, transport=rec.transport) == 1
    assert rec.bodies()[0]["severity"] == "P1"  # P1 is never held
    morning = night + timedelta(hours=9)  # 08:00 Shanghai
    assert deliver_due(sqlite_engine, cfg, morning, transport=rec.transport) == 1
    assert rec.bodies()[1]["kind"] == "digest" and len(rec.bodies()[1]["items"]) == 3


def test_unconfigured_channel_fails_visibly(sqlite_engine: Engine) -> None:
    cfg = make_config()
    _open(sqlite_engine, 1, cfg)
    other = make_config(
        channels=[{"name": "x", "kind": "webhook", "url": "http://h.test/"}], routes=[{"channels": ["x"]}]
    )
    assert deliver_due(sqlite_engine, other, T0, transport=Recorder().transport) == 0
    assert "not configured" in _outbox(sqlite_engine)[0]["last_error"]


def test_dingtalk_throttle_waits_ten_minutes(sqlite_engine: Engine) -> None:
    cfg = make_config(
        channels=[{"name": "pr", "kind": "dingtalk", "url": "http://ding.test/send"}],
        routes=[{"channels": ["pr"]}],
    )
    _open(sqlite_engine, 2, cfg)
    rec = Recorder([httpx.Response(200, json={"errcode": 130101, "errmsg": "send too fast"})])
    assert deliver_due(sqlite_engine, cfg, T0, transport=rec.transport) == 0
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(minutes=9), transport=rec.transport) == 0
    assert len(rec.requests) == 1
    rec.answers = [httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})] * 2
    assert deliver_due(sqlite_engine, cfg, T0 + timedelta(minutes=10), transport=rec.transport) == 2


def test_build_notifier_reads_secrets_from_environment() -> None:
    from alerts.notifiers.dingtalk import DingTalkNotifier
    from alerts.notifiers.email import EmailNotifier
    from alerts.notifiers.wecom import WeComNotifier
    from monitor.incidents.settings import build_notifier

    env = {"K": "wk", "S": "ds", "P": "pw"}
    cfg = make_config(
        channels=[
            {"name": "w", "kind": "wecom", "url": "https://qyapi.test/send", "key_env": "K"},
            {
                "name": "d",
                "kind": "dingtalk",
                "url": "https://oapi.test/send?access_token=t",
                "secret_env": "S",
            },
            {
                "name": "e",
                "kind": "email",
                "smtp": {
                    "host": "smtp.test",
                    "sender": "a@b.c",
                    "recipients": ["x@y.z"],
                    "username": "u",
                    "password_env": "P",
                },
            },
        ],
        routes=[{"channels": ["w"]}],
        environ=env,
    )
    w, d, e = (build_notifier(c, environ=env) for c in cfg.channels)
    assert isinstance(w, WeComNotifier) and w.url.endswith("key=wk")
    assert isinstance(d, DingTalkNotifier) and "ds" not in d.url
    assert isinstance(e, EmailNotifier) and e.port == 587 and e.starttls
    for n in (w, d, e):
        n.close()
