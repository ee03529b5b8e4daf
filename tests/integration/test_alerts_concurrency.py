"""Two daemons ticking the same database at the same moment: every clock event fires exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from monitor import incidents
from monitor.incidents.outbox import deliver_due
from monitor.storage.schema import deadline_events, outbox
from tests.monitor.incidents.helpers import T0, Recorder, add_mention, make_config

pytestmark = pytest.mark.integration


def test_concurrent_ticks_fire_each_event_once(engine: Engine) -> None:
    cfg = make_config()
    for i in range(40):
        add_mention(engine, story=f"s{i}")
    incidents.process_pending_mentions(engine, cfg, T0)
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def tick() -> None:
        try:
            barrier.wait()
            results.append(incidents.tick_deadlines(engine, cfg, T0 + timedelta(hours=4, minutes=1)))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    # per incident: escalation + breach sent (reminders superseded by the breach)
    assert sum(results) == 80
    with engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).where(deadline_events.c.fired_at.is_(None))).scalar_one() == 0
        )
        kinds = list(conn.execute(select(outbox.c.kind).where(outbox.c.kind != "opened")).scalars())
    assert kinds.count("breach") == 80 and kinds.count("escalation") == 40  # breach: pr + lead


def test_concurrent_deliveries_send_each_row_once(engine: Engine) -> None:
    cfg = make_config(
        channels=[{"name": "pr", "kind": "webhook", "url": "http://h.test/", "rate_per_minute": 1000}],
        routes=[{"channels": ["pr"]}],
    )
    for i in range(30):
        add_mention(engine, story=f"s{i}")
    incidents.process_pending_mentions(engine, cfg, T0)
    rec = Recorder()
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait()
            deliver_due(engine, cfg, T0, transport=rec.transport)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    keys = [r.headers["Idempotency-Key"] for r in rec.requests]
    assert len(keys) == 30 and len(set(keys)) == 30


def test_concurrent_policy_runs_open_one_incident_per_story(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three daemons each handle a different new mention of the same story at the same moment."""
    import time

    import monitor.incidents.intake as module
    from monitor.storage.schema import incidents as incidents_t

    original = module._store_new

    def slow_open(*args: object, **kwargs: object) -> None:
        # Widen the window between "no open incident for this story" and the insert: without the
        # per-brand lock every daemon would open its own incident.
        time.sleep(0.1)
        original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_store_new", slow_open)
    cfg = make_config()
    ids = [add_mention(engine, story="same") for _ in range(3)]
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def run(mention_id: int) -> None:
        try:
            barrier.wait()
            with engine.begin() as conn:
                module._handle_mention(conn, cfg, mention_id, T0)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with engine.connect() as conn:
        rows = conn.execute(select(incidents_t.c.mention_count)).scalars().all()
    assert rows == [3]
