"""Brand spike incidents at the database edge: raised with the reason, upgraded once, never duplicated."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor.incidents.spikes import check_spikes
from monitor.storage.schema import audit_log, outbox
from monitor.storage.schema import incidents as incidents_t
from tests.monitor.incidents.helpers import T0, add_mention, make_config

CFG = make_config()


def _add(engine: Engine, n: int, *, p: float, at: object, story: str = "x") -> None:
    for i in range(n):
        add_mention(engine, story=f"{story}{i}", p_negative=p, now=at)  # type: ignore[arg-type]


def test_spike_raises_then_upgrades_one_incident(engine: Engine) -> None:
    for week in range(1, 5):  # a quiet baseline: 3 mentions, 1 negative, at this hour in past weeks
        _add(engine, 2, p=0.1, at=T0 - timedelta(weeks=week, minutes=30), story=f"w{week}n")
        _add(engine, 1, p=0.9, at=T0 - timedelta(weeks=week, minutes=30), story=f"w{week}p")
    _add(engine, 12, p=0.9, at=T0 - timedelta(minutes=20), story="now")
    assert check_spikes(engine, CFG, T0) == 1
    with engine.connect() as conn:
        [inc] = conn.execute(select(incidents_t)).mappings().all()
        kinds = list(conn.execute(select(outbox.c.kind)).scalars())
    assert inc["story_key"] == "spike:星巴克" and inc["severity"] == "P2"
    assert "负面声量突增" in inc["reason"] and "12 条负面" in inc["reason"]
    assert kinds == ["opened"]
    # The same spike next tick changes nothing; a bigger one upgrades the same incident to P1.
    assert check_spikes(engine, CFG, T0 + timedelta(minutes=5)) == 0
    _add(engine, 20, p=0.95, at=T0 - timedelta(minutes=10), story="more")
    assert check_spikes(engine, CFG, T0 + timedelta(minutes=10)) == 1
    with engine.connect() as conn:
        [inc] = conn.execute(select(incidents_t)).mappings().all()
        kinds = list(conn.execute(select(outbox.c.kind)).scalars())
        audit_kinds = list(conn.execute(select(audit_log.c.kind)).scalars())
    assert inc["severity"] == "P1" and sorted(kinds) == ["opened", "upgraded"]
    assert audit_kinds == ["incident.open", "incident.severity"]


def test_disabled_spike_detection_does_nothing(sqlite_engine: Engine) -> None:
    _add(sqlite_engine, 30, p=0.9, at=T0 - timedelta(minutes=5))
    assert check_spikes(sqlite_engine, make_config({"spike": {"enabled": False}}), T0) == 0
