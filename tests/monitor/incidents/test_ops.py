"""Owners, notes, merge and split on both databases; duplicates never become model feedback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from alerts.errors import AlertsError, TransitionError
from monitor import incidents
from monitor.incidents.ops import add_note, assign, merge, split
from monitor.incidents.queries import dismissed_feedback
from monitor.storage.schema import audit_log, mentions
from monitor.storage.schema import incidents as incidents_t
from tests.monitor.incidents.helpers import T0, add_mention, make_config

CFG = make_config()


def _incident(engine: Engine, incident_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(select(incidents_t).where(incidents_t.c.id == incident_id)).mappings().one())


def _audit(engine: Engine, subject: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(audit_log.c.kind).where(audit_log.c.subject == subject)).scalars())


def _two_incidents(engine: Engine) -> tuple[int, int]:
    add_mention(engine, story="fire-a", title="洁净洗衣机起火")
    add_mention(engine, story="fire-b", title="洁净洗衣机自燃", followers=50_000)
    incidents.process_pending_mentions(engine, CFG, T0)
    with engine.connect() as conn:
        first, second = conn.execute(select(incidents_t.c.id).order_by(incidents_t.c.id)).scalars()
    return first, second


def test_assign_and_note_land_on_the_timeline(engine: Engine) -> None:
    first, _ = _two_incidents(engine)
    row = assign(engine, first, "王五", actor="lead", now=T0)
    assert row["owner"] == "王五"
    add_note(engine, first, "已联系门店，等待回复", actor="王五", now=T0 + timedelta(minutes=1))
    with engine.connect() as conn:
        detail = incidents.get_incident(conn, first)
    notes = [t for t in detail["timeline"] if t["type"] == "note"]
    assert notes == [
        {"at": T0 + timedelta(minutes=1), "type": "note", "what": "王五", "detail": "已联系门店，等待回复"}
    ]
    assert _audit(engine, f"incident:{first}")[-2:] == ["incident.assign", "incident.note"]
    assert assign(engine, first, None, actor="lead", now=T0)["owner"] is None
    with pytest.raises(AlertsError, match="some text"):
        add_note(engine, first, "   ", actor="x", now=T0)


def test_merge_moves_mentions_keeps_both_histories_and_is_not_feedback(engine: Engine) -> None:
    first, second = _two_incidents(engine)
    before = _incident(engine, second)
    survivor = merge(engine, CFG, second, into=first, actor="lead", now=T0 + timedelta(minutes=5))
    assert survivor["mention_count"] == 2 and survivor["reach"] == 50_000
    assert survivor["respond_by"] is not None
    dup = _incident(engine, second)
    assert (dup["state"], dup["merged_into"]) == ("duplicate", first)
    assert "incident.merge" in _audit(engine, f"incident:{second}")
    assert "incident.merged_in" in _audit(engine, f"incident:{first}")
    assert before["state"] == "open"
    with engine.connect() as conn:
        assert dismissed_feedback(conn) == []
        owners = set(conn.execute(select(mentions.c.incident_id)).scalars())
    assert owners == {first}
    # A later mention of the merged story follows it into the survivor.
    add_mention(engine, story="fire-b", title="洁净洗衣机自燃后续")
    incidents.process_pending_mentions(engine, CFG, T0 + timedelta(minutes=6))
    assert _incident(engine, first)["mention_count"] == 3
    with pytest.raises(TransitionError, match="duplicate"):
        merge(engine, CFG, second, into=first, actor="lead", now=T0)
    with pytest.raises(AlertsError, match="itself"):
        merge(engine, CFG, first, into=first, actor="lead", now=T0)


def test_split_makes_a_new_incident_on_the_same_clock(engine: Engine) -> None:
    # Nothing in these titles tells the linker they differ: one incident, split by a person.
    add_mention(engine, story="s", title="云帆门店服务差")
    add_mention(engine, story="s", title="云帆发布会翻车", followers=20_000)
    incidents.process_pending_mentions(engine, CFG, T0)
    with engine.connect() as conn:
        [incident_id] = conn.execute(select(incidents_t.c.id)).scalars()
        leak = conn.execute(select(mentions.c.id).where(mentions.c.title == "云帆发布会翻车")).scalar_one()
    original = _incident(engine, incident_id)
    new = split(engine, CFG, incident_id, [leak], actor="lead", now=T0 + timedelta(minutes=3))
    assert new["mention_count"] == 1 and new["reach"] == 20_000 and new["title"] == "云帆发布会翻车"
    assert new["respond_by"] == original["respond_by"] and new["severity"] == original["severity"]
    assert _incident(engine, incident_id)["mention_count"] == 1
    assert "incident.split" in _audit(engine, f"incident:{incident_id}")
    assert "incident.split_from" in _audit(engine, f"incident:{new['id']}")
    with pytest.raises(AlertsError, match="not in incident"):
        split(engine, CFG, incident_id, [leak], actor="lead", now=T0)
    with pytest.raises(AlertsError, match="nothing behind"):
        split(engine, CFG, new["id"], [leak], actor="lead", now=T0)


def test_one_template_key_does_not_fold_different_events_into_one_incident(engine: Engine) -> None:
    # The dedup fingerprint gave these one story key (a shared template); the facts say two stories.
    titles = [
        "【舆情】云帆S3召回",
        "【舆情】云帆用户数据泄露",
        "【舆情】云帆S3召回后续",
        "【舆情】云帆信息外泄",
    ]
    for title in titles:
        add_mention(engine, story="template", title=title)
    incidents.process_pending_mentions(engine, CFG, T0)
    with engine.connect() as conn:
        rows = conn.execute(
            select(incidents_t.c.title, incidents_t.c.mention_count).order_by(incidents_t.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [("【舆情】云帆S3召回", 2), ("【舆情】云帆用户数据泄露", 2)]
