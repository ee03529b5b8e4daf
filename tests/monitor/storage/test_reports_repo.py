"""Figures counted by the database (both SQLite and PostgreSQL) equal hand-counted ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.engine import Connection, Engine

from monitor.storage import reports_repo
from monitor.storage.mentions_repo import insert_mention
from monitor.storage.schema import deadline_events, incidents, outbox, sources

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _mention(conn: Connection, key: str, published: datetime, *, brand: str = "茶语", **kw: Any) -> None:
    values: dict[str, Any] = {
        "brand": brand,
        "dedup_key": key,
        "story_key": f"s-{key}",
        "title": key,
        "text": "",
        "published_at": published,
        "fetched_at": NOW,
    }
    values.update(kw)
    insert_mention(conn, values)


def _incident(conn: Connection, brand: str, severity: str, **kw: Any) -> int:
    values: dict[str, Any] = {
        "brand": brand,
        "story_key": f"s-{brand}-{severity}-{kw.get('title', '')}",
        "severity": severity,
        "state": "open",
        "title": "",
        "opened_at": NOW,
        "respond_by": NOW + timedelta(hours=4),
        "updated_at": NOW,
    }
    values.update(kw)
    return int(conn.execute(insert(incidents).values(**values).returning(incidents.c.id)).scalar_one())


def test_daily_counts_group_by_local_day(engine: Engine) -> None:
    # Local (Shanghai, UTC+8) days 11-21, 11-22, 11-23; 11-21 00:00 local is 11-20 16:00 UTC.
    start = datetime(2026, 11, 21, tzinfo=SHANGHAI)
    day_starts = [start + timedelta(days=i) for i in range(4)]
    with engine.begin() as conn:
        _mention(conn, "before", start - timedelta(seconds=1))  # outside the window
        _mention(conn, "first", start)  # on the boundary: the first day
        _mention(conn, "late-21", datetime(2026, 11, 21, 15, 59, tzinfo=UTC), label="negative")  # 23:59 local
        _mention(conn, "early-22", datetime(2026, 11, 21, 16, 0, tzinfo=UTC), label="neutral")  # 00:00 local
        _mention(conn, "neg-23", datetime(2026, 11, 23, 1, 0, tzinfo=SHANGHAI), label="negative")
        _mention(conn, "neg-23b", datetime(2026, 11, 23, 2, 0, tzinfo=SHANGHAI), label="negative")
        _mention(conn, "other", datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI), brand="果仓")
        _mention(conn, "future", datetime(2026, 11, 25, tzinfo=SHANGHAI), brand="未来")
        rows = reports_repo.daily_mention_counts(conn, day_starts)
    assert sorted(rows, key=lambda r: (r.brand, r.day if r.day is not None else -1)) == [
        reports_repo.DayCount("未来", None, 1, 0),
        reports_repo.DayCount("果仓", 1, 1, 0),
        reports_repo.DayCount("茶语", 0, 2, 1),
        reports_repo.DayCount("茶语", 1, 1, 0),
        reports_repo.DayCount("茶语", 2, 2, 2),
    ]


def test_top_incidents_most_severe_then_reach(engine: Engine) -> None:
    with engine.begin() as conn:
        _incident(conn, "a", "P2", reach=10, title="p2")
        _incident(conn, "a", "P1", reach=5, title="p1 small")
        _incident(conn, "a", "P1", reach=50, title="p1 big")
        _incident(conn, "a", "P1", reach=99, title="old", opened_at=NOW - timedelta(days=30))
        top = reports_repo.top_incidents(conn, since=NOW - timedelta(days=1), limit=2)
    assert [t["title"] for t in top] == ["p1 big", "p1 small"]
    assert set(top[0]) == {"id", "brand", "severity", "state", "title", "reach", "mention_count"}


def test_metric_counts(engine: Engine) -> None:
    with engine.begin() as conn:
        _mention(conn, "1", NOW, label="negative")
        _mention(conn, "2", NOW, label="negative")
        _mention(conn, "3", NOW)
        _mention(conn, "4", NOW, brand="果仓", label="positive")
        _incident(conn, "茶语", "P1", breached_at=NOW)
        _incident(conn, "茶语", "P1", title="x", state="resolved")
        _incident(conn, "果仓", "P3")
        for key, status in (("a", "sent"), ("b", "sent"), ("c", "pending")):
            conn.execute(
                insert(outbox).values(
                    idempotency_key=key,
                    channel="c",
                    kind="opened",
                    payload={},
                    status=status,
                    next_attempt_at=NOW,
                    created_at=NOW,
                )
            )
        assert sorted(reports_repo.mentions_by_brand_and_label(conn), key=str) == sorted(
            [("茶语", "negative", 2), ("茶语", None, 1), ("果仓", "positive", 1)], key=str
        )
        by_severity = reports_repo.incidents_by_brand_and_severity(conn)
        assert sorted(by_severity) == [("果仓", "P3", 1), ("茶语", "P1", 2)]
        assert sorted(reports_repo.incidents_by_severity(conn, states=["open"])) == [("P1", 1), ("P3", 1)]
        assert reports_repo.breaches_by_brand(conn) == [("茶语", 1)]
        assert sorted(reports_repo.outbox_by_status(conn)) == [("pending", 1), ("sent", 2)]


def test_demo_totals_and_narration(engine: Engine) -> None:
    later = NOW + timedelta(minutes=15)
    with engine.begin() as conn:
        conn.execute(
            insert(sources).values(
                name="s", kind="rss", url="http://x", brands=[], next_check_at=NOW, created_at=NOW
            )
        )
        _mention(conn, "base", NOW, label="negative", baseline=True, fetched_at=later)
        _mention(conn, "new", NOW, label="negative", fetched_at=later)
        _mention(conn, "old", NOW, label="negative")
        _mention(conn, "calm", NOW, label="neutral", fetched_at=later)
        first = _incident(conn, "茶语", "P1", title="起火")
        conn.execute(
            insert(deadline_events),
            [
                {"incident_id": first, "kind": kind, "due_at": NOW, "fired_at": fired, "skipped": skipped}
                for kind, fired, skipped in (
                    ("reminder:-120", NOW, False),
                    ("reminder:-60", None, False),  # not fired yet
                    ("breach", NOW, True),
                )
            ],
        )
        totals = reports_repo.totals(conn)
        assert totals == reports_repo.Totals(sources=1, mentions=4, negative=3, incidents=1)
        assert reports_repo.negative_fetched_at(conn, later) == 1
        opened = reports_repo.incidents_opened(conn)
        events = reports_repo.fired_clock_events(conn)
    assert [(i.id, i.severity, i.title, i.respond_by) for i in opened] == [
        (first, "P1", "起火", NOW + timedelta(hours=4))
    ]
    assert [(e.incident_id, e.kind, e.skipped) for e in events] == [
        (first, "reminder:-120", False),
        (first, "breach", True),
    ]
