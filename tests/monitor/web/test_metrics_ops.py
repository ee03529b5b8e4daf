"""Operator metrics on SQLite and PostgreSQL: freshness, blind windows, channel health, queues, names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from monitor.crawl.claim_loop import MAX_PENDING_OUTBOX
from monitor.storage.schema import channel_state, outbox, source_outages, sources
from monitor.storage.times import to_db
from monitor.web.metrics import render_metrics

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _seed(engine: Engine) -> None:
    with engine.begin() as conn:
        for name, last_success in (("weibo", NOW - timedelta(minutes=5)), ("zhihu", None)):
            conn.execute(
                insert(sources).values(
                    name=name,
                    kind="rss",
                    url=f"https://{name}.example/feed",
                    brands=[],
                    interval_s=900,
                    tz="Asia/Shanghai",
                    next_check_at=to_db(NOW),
                    created_at=to_db(NOW),
                    last_success_at=to_db(last_success) if last_success else None,
                )
            )
        conn.execute(
            insert(source_outages),
            [
                # closed: one hour blocked; open: failing for the last 10 minutes ("until now")
                {
                    "source_id": 2,
                    "state": "blocked",
                    "reason": "login required",
                    "started_at": to_db(NOW - timedelta(hours=3)),
                    "ended_at": to_db(NOW - timedelta(hours=2)),
                },
                {
                    "source_id": 2,
                    "state": "failing",
                    "reason": "HTTP 503",
                    "started_at": to_db(NOW - timedelta(minutes=10)),
                    "ended_at": None,
                },
            ],
        )
        conn.execute(
            insert(channel_state).values(
                name="dingtalk",
                disabled_at=to_db(NOW),
                disabled_reason="310000 sign not match",
                sent_window=[],
                updated_at=to_db(NOW),
            )
        )
        for i, (channel, status) in enumerate(
            (("dingtalk", "failed"), ("wecom", "sent"), ("wecom", "pending"))
        ):
            conn.execute(
                insert(outbox).values(
                    idempotency_key=f"k{i}",
                    channel=channel,
                    kind="opened",
                    payload={},
                    status=status,
                    attempts=1,
                    next_attempt_at=to_db(NOW),
                    created_at=to_db(NOW),
                )
            )


def _samples(engine: Engine) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    body, _ = render_metrics(engine, NOW)
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def test_operator_metrics(engine: Engine) -> None:
    _seed(engine)
    got = _samples(engine)
    last = got["brandguard_source_last_success_timestamp_seconds"]
    assert last == {(("source", "weibo"),): (NOW - timedelta(minutes=5)).timestamp()}  # zhihu: never
    blind = got["brandguard_source_blind_seconds_total"]
    assert blind[(("source", "zhihu"), ("state", "blocked"))] == 3600
    assert blind[(("source", "zhihu"), ("state", "failing"))] == 600
    assert got["brandguard_sources_blind"] == {(("state", "failing"),): 1}
    assert got["brandguard_channel_up"] == {(("channel", "dingtalk"),): 0, (("channel", "wecom"),): 1}
    assert got["brandguard_outbox_messages"][(("channel", "wecom"), ("status", "sent"))] == 1
    assert got["brandguard_outbox_pending"] == {(): 1}
    assert got["brandguard_outbox_pending_limit"] == {(): MAX_PENDING_OUTBOX}
    assert got["brandguard_mentions_pending_policy"] == {(): 0}


def test_names_follow_the_conventions(engine: Engine) -> None:
    _seed(engine)
    body, _ = render_metrics(engine, NOW)
    families = list(text_string_to_metric_families(body.decode()))
    names = {f.name for f in families}
    assert "brandguard_alerts" not in names  # it counted incidents: now brandguard_incidents_opened_total
    assert "brandguard_incidents_opened" in names
    for family in families:
        if family.type == "counter":
            assert all(s.name.endswith(("_total", "_created")) for s in family.samples), family.name
        assert not family.name.endswith("_last"), family.name  # the unit comes last
