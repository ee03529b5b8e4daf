from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from alerts.errors import AlertsError, IncidentNotFound, TransitionError
from monitor import incidents
from monitor.incidents.queries import dismissed_feedback
from monitor.storage.schema import audit_log, deadline_events, mentions, outbox
from monitor.storage.schema import incidents as incidents_t
from tests.monitor.incidents.helpers import T0, add_mention, make_config

CFG = make_config()


def _rows(engine: Engine, table: Any, *where: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table).where(*where)).mappings()]


def test_negative_mention_opens_incident_with_clock_and_message(engine: Engine) -> None:
    add_mention(engine, p_negative=0.9)
    assert incidents.process_pending_mentions(engine, CFG, T0) == 1
    [inc] = _rows(engine, incidents_t)
    assert (inc["state"], inc["severity"], inc["mention_count"]) == ("open", "P3", 1)
    kinds = sorted(e["kind"] for e in _rows(engine, deadline_events))
    assert kinds == ["breach", "escalation", "reminder:-120", "reminder:-30", "reminder:-60"]
    [msg] = _rows(engine, outbox)
    assert (msg["channel"], msg["kind"], msg["status"]) == ("pr", "opened", "pending")
    assert [a["kind"] for a in _rows(engine, audit_log)] == ["incident.open"]
    assert all(m["policy_done"] for m in _rows(engine, mentions))
    assert incidents.process_pending_mentions(engine, CFG, T0) == 0  # idempotent


def test_baseline_and_neutral_mentions_never_alert(sqlite_engine: Engine) -> None:
    add_mention(sqlite_engine, p_negative=0.99, baseline=True)
    add_mention(sqlite_engine, p_negative=0.1, story="other")
    assert incidents.process_pending_mentions(sqlite_engine, CFG, T0) == 2
    assert _rows(sqlite_engine, incidents_t) == []
    assert all(m["policy_done"] for m in _rows(sqlite_engine, mentions))


def test_reposts_attach_and_renotify_once_per_tier(sqlite_engine: Engine) -> None:
    add_mention(sqlite_engine, p_negative=0.8)
    incidents.process_pending_mentions(sqlite_engine, CFG, T0)
    for i in range(30):  # a repost flood of the same story
        add_mention(sqlite_engine, p_negative=0.8, followers=5_000, now=T0 + timedelta(minutes=i))
    incidents.process_pending_mentions(sqlite_engine, CFG, T0 + timedelta(minutes=30))
    [inc] = _rows(sqlite_engine, incidents_t)
    assert inc["mention_count"] == 31 and inc["severity"] == "P1" and inc["reach"] == 150_000
    kinds = [m["kind"] for m in _rows(sqlite_engine, outbox)]
    # opened (P3), then one message per tier reached: P2, P1 - never one per repost
    assert kinds == ["opened", "upgraded", "upgraded"]
    assert [m["severity"] for m in _rows(sqlite_engine, outbox)] == ["P3", "P2", "P1"]


def test_severity_rise_shortens_the_deadline(sqlite_engine: Engine) -> None:
    cfg = make_config({"respond_by_hours": {"P1": 1, "P2": 4, "P3": 8}})
    add_mention(sqlite_engine, p_negative=0.8)
    incidents.process_pending_mentions(sqlite_engine, cfg, T0)
    assert _rows(sqlite_engine, incidents_t)[0]["respond_by"].hour == (T0 + timedelta(hours=8)).hour
    add_mention(sqlite_engine, p_negative=0.8, followers=200_000)
    incidents.process_pending_mentions(sqlite_engine, cfg, T0 + timedelta(minutes=10))
    inc = _rows(sqlite_engine, incidents_t)[0]
    assert inc["severity"] == "P1" and inc["respond_by"].hour == (T0 + timedelta(hours=1)).hour
    breach = _rows(sqlite_engine, deadline_events, deadline_events.c.kind == "breach")[0]
    assert breach["due_at"].hour == (T0 + timedelta(hours=1)).hour


def test_other_brand_same_story_key_is_another_incident(sqlite_engine: Engine) -> None:
    add_mention(sqlite_engine, brand="A")
    add_mention(sqlite_engine, brand="B")
    incidents.process_pending_mentions(sqlite_engine, CFG, T0)
    assert len(_rows(sqlite_engine, incidents_t)) == 2


def _open_one(engine: Engine) -> int:
    add_mention(engine)
    incidents.process_pending_mentions(engine, CFG, T0)
    return int(_rows(engine, incidents_t)[0]["id"])


def test_life_cycle_is_audited(engine: Engine) -> None:
    iid = _open_one(engine)
    row = incidents.acknowledge(engine, iid, actor="wang", now=T0 + timedelta(minutes=5))
    assert row["state"] == "acknowledged" and row["acknowledged_by"] == "wang"
    with pytest.raises(TransitionError):
        incidents.acknowledge(engine, iid, actor="li", now=T0 + timedelta(minutes=6))
    with pytest.raises(AlertsError, match="needs the published text or a link"):
        incidents.respond(engine, iid, actor="wang", now=T0)
    row = incidents.respond(engine, iid, actor="wang", now=T0 + timedelta(hours=1), url="https://weibo.com/r")
    assert row["state"] == "responded" and row["response_url"] == "https://weibo.com/r"
    row = incidents.resolve(engine, iid, actor="wang", now=T0 + timedelta(hours=2))
    assert row["state"] == "resolved"
    with pytest.raises(TransitionError):
        incidents.dismiss(engine, iid, actor="wang", now=T0, reason="x")
    audits = _rows(engine, audit_log, audit_log.c.subject == f"incident:{iid}")
    assert [a["kind"] for a in audits] == [
        "incident.open",
        "incident.ack",
        "incident.respond",
        "incident.resolve",
    ]
    ack = audits[1]
    assert ack["actor"] == "wang" and ack["data"]["from"] == "open" and ack["data"]["to"] == "acknowledged"
    assert ack["data"]["in_time"] is True and "respond_by" in ack["data"]


def test_dismiss_needs_reason_and_becomes_feedback(sqlite_engine: Engine) -> None:
    iid = _open_one(sqlite_engine)
    with pytest.raises(AlertsError, match="reason"):
        incidents.dismiss(sqlite_engine, iid, actor="li", now=T0, reason="  ")
    incidents.dismiss(sqlite_engine, iid, actor="li", now=T0, reason="说的是另一家星巴克")
    with sqlite_engine.connect() as conn:
        [fb] = dismissed_feedback(conn)
    assert fb["dismiss_reason"] == "说的是另一家星巴克" and fb["incident_id"] == iid


def test_unknown_incident(sqlite_engine: Engine) -> None:
    with pytest.raises(IncidentNotFound):
        incidents.acknowledge(sqlite_engine, 404, actor="x", now=T0)
    with sqlite_engine.connect() as conn, pytest.raises(IncidentNotFound):
        incidents.get_incident(conn, 404)


def test_list_and_show(sqlite_engine: Engine) -> None:
    iid = _open_one(sqlite_engine)
    with sqlite_engine.connect() as conn:
        assert [r["id"] for r in incidents.list_incidents(conn, open_only=True, breached_only=False)] == [iid]
        assert incidents.list_incidents(conn, open_only=False, breached_only=True) == []
        shown = incidents.get_incident(conn, iid)
    assert len(shown["mentions"]) == 1
    assert {t["type"] for t in shown["timeline"]} == {"clock", "message", "audit"}
    assert shown["opened_at"].tzinfo is not None


# --- the clock ---------------------------------------------------------------------------------


def _fired(engine: Engine) -> dict[str, tuple[bool, bool]]:
    """kind -> (fired, skipped)"""
    return {e["kind"]: (e["fired_at"] is not None, e["skipped"]) for e in _rows(engine, deadline_events)}


@pytest.mark.parametrize(
    ("elapsed", "breached"),
    [
        (timedelta(hours=3, minutes=59), False),
        (timedelta(hours=4), True),
        (timedelta(hours=4, minutes=1), True),
    ],
    ids=["3:59", "4:00", "4:01"],
)
def test_breach_boundaries(sqlite_engine: Engine, elapsed: timedelta, breached: bool) -> None:
    iid = _open_one(sqlite_engine)
    incidents.tick_deadlines(sqlite_engine, CFG, T0 + elapsed)
    inc = _rows(sqlite_engine, incidents_t)[0]
    assert (inc["breached_at"] is not None) is breached
    assert _fired(sqlite_engine)["breach"][0] is breached
    breach_msgs = _rows(sqlite_engine, outbox, outbox.c.kind == "breach")
    assert sorted(m["channel"] for m in breach_msgs) == (["lead", "pr"] if breached else [])
    with sqlite_engine.connect() as conn:
        listed = incidents.list_incidents(conn, open_only=False, breached_only=True)
    assert [r["id"] for r in listed] == ([iid] if breached else [])


def test_each_event_fires_exactly_once(engine: Engine) -> None:
    _open_one(engine)
    times = [T0 + timedelta(minutes=m) for m in (31, 31, 121, 125, 181, 211, 240, 241, 300)]
    sent = [incidents.tick_deadlines(engine, CFG, t) for t in times]
    assert sent == [1, 0, 1, 0, 1, 1, 1, 0, 0]  # escalation, T-2h, T-1h, T-30m, breach
    kinds = [m["kind"] for m in _rows(engine, outbox)]
    assert kinds.count("reminder") == 3 and kinds.count("escalation") == 1 and kinds.count("breach") == 2


def test_ack_stops_escalation_response_stops_breach(sqlite_engine: Engine) -> None:
    iid = _open_one(sqlite_engine)
    incidents.acknowledge(sqlite_engine, iid, actor="wang", now=T0 + timedelta(minutes=10))
    incidents.tick_deadlines(sqlite_engine, CFG, T0 + timedelta(minutes=40))
    assert _fired(sqlite_engine)["escalation"] == (True, True)
    incidents.respond(sqlite_engine, iid, actor="wang", now=T0 + timedelta(hours=2), text="致歉声明")
    incidents.tick_deadlines(sqlite_engine, CFG, T0 + timedelta(hours=5))
    assert _fired(sqlite_engine)["breach"] == (True, True)
    assert _rows(sqlite_engine, incidents_t)[0]["breached_at"] is None


def test_restart_in_the_middle_of_an_incident(tmp_path: Any) -> None:
    """Daemon A runs until T+1h, is down until T+3h45m; daemon B (new engine) sends one reminder, no burst."""
    from monitor.storage.engine import open_database

    url = f"sqlite:///{tmp_path / 'restart.db'}"
    a = open_database(url)
    _open_one(a)
    assert incidents.tick_deadlines(a, CFG, T0 + timedelta(hours=1)) == 1  # escalation at T+30m
    a.dispose()
    b = open_database(url)
    try:
        assert incidents.tick_deadlines(b, CFG, T0 + timedelta(hours=3, minutes=45)) == 1
        fired = _fired(b)
        assert fired["reminder:-120"] == (True, True) and fired["reminder:-60"] == (True, True)
        assert fired["reminder:-30"] == (True, False) and fired["breach"] == (False, False)
        assert [m["kind"] for m in _rows(b, outbox)].count("reminder") == 1
        assert incidents.tick_deadlines(b, CFG, T0 + timedelta(hours=4)) == 1  # breach, on time
    finally:
        b.dispose()


def test_business_calendar_deadline_in_config(sqlite_engine: Engine) -> None:
    cfg = make_config({"calendar": "business"})
    add_mention(sqlite_engine)
    # Tuesday 2025-09-30 16:00 Shanghai: 2 h that day, then 国庆 until 10-08, deadline 10-09 11:00 Shanghai.
    from datetime import UTC, datetime

    opened = datetime(2025, 9, 30, 8, 0, tzinfo=UTC)
    incidents.process_pending_mentions(sqlite_engine, cfg, opened)
    inc = _rows(sqlite_engine, incidents_t)[0]
    assert inc["respond_by"] == datetime(2025, 10, 9, 3, 0)  # naive UTC as stored by SQLite


def test_same_event_under_another_story_key_joins_the_incident(sqlite_engine: Engine) -> None:
    cfg = make_config({"story_window_minutes": 1440})
    add_mention(
        sqlite_engine, brand="云帆汽车", story="a", title="【突发】云帆汽车X7充电时自燃", risk_terms=["自燃"]
    )
    add_mention(
        sqlite_engine, brand="云帆汽车", story="b", title="转发：云帆X7充电时起火", risk_terms=["起火"]
    )
    add_mention(
        sqlite_engine, brand="云帆汽车", story="c", title="云帆X7自燃事件，大家怎么看", risk_terms=["自燃"]
    )
    add_mention(sqlite_engine, brand="云帆汽车", story="d", title="云帆汽车新款发布会定档下月", risk_terms=[])
    add_mention(
        sqlite_engine, brand="别的品牌", story="e", title="【突发】云帆汽车X7充电时自燃", risk_terms=["自燃"]
    )
    incidents.process_pending_mentions(sqlite_engine, cfg, T0)
    counts = sorted((r["brand"], r["mention_count"]) for r in _rows(sqlite_engine, incidents_t))
    assert counts == [("云帆汽车", 1), ("云帆汽车", 3), ("别的品牌", 1)]


def test_story_matching_window(sqlite_engine: Engine) -> None:
    cfg = make_config({"story_window_minutes": 60})
    add_mention(sqlite_engine, story="a", title="星巴克门店被曝使用过期食材")
    incidents.process_pending_mentions(sqlite_engine, cfg, T0)
    add_mention(sqlite_engine, story="b", title="转发：星巴克门店被曝使用过期食材")
    incidents.process_pending_mentions(sqlite_engine, cfg, T0 + timedelta(minutes=61))
    assert len(_rows(sqlite_engine, incidents_t)) == 2
