"""Rate window, backoff, quiet hours, message rendering and the SLA arithmetic."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest

from alerts.backoff import MAX_ATTEMPTS, retry_delay
from alerts.message import IncidentSnapshot, render, render_digest, truncate_utf8
from alerts.quiet import quiet_until
from alerts.ratelimit import budget, next_free_at
from alerts.sla import IncidentTimes, percentile, sla_report

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_rate_window() -> None:
    sent = [NOW - timedelta(seconds=s) for s in (70, 50, 10, 5)]
    assert budget(sent, NOW, 3) == 0
    assert budget(sent, NOW, 20) == 17
    assert next_free_at(sent, NOW, 3) == NOW + timedelta(seconds=10)  # the send 50 s ago leaves the window
    assert next_free_at(sent, NOW, 4) == NOW


def test_backoff_grows_and_stops() -> None:
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert delays[0] == timedelta(seconds=15)
    growing = delays[:-1]
    assert all(a is not None and b is not None and a <= b for a, b in itertools.pairwise(growing))
    assert delays[-1] is None


_SH = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("utc_hour", "severity", "held_until_utc_hour"),
    [
        (15, "P3", 0),  # 23:00 Shanghai -> held until 08:00 (00:00 UTC next day)
        (15, "P1", None),  # P1 never held
        (23, "P2", 0),  # 07:00 Shanghai -> until 08:00 the same morning
        (4, "P3", None),  # 12:00 Shanghai: not quiet
    ],
)
def test_quiet_hours(utc_hour: int, severity: str, held_until_utc_hour: int | None) -> None:
    now = NOW.replace(hour=utc_hour)
    held = quiet_until(
        now, start=time(22), end=time(8), tz=_SH, severity=severity, severities=frozenset({"P2", "P3"})
    )
    if held_until_utc_hour is None:
        assert held is None
    else:
        assert held is not None and held.hour == held_until_utc_hour and held > now
        assert held - now < timedelta(hours=10)


def _snap(**kw: object) -> IncidentSnapshot:
    base = dict(
        id=7,
        brand="星巴克",
        severity="P1",
        title="门店被曝",
        mention_count=12,
        negative_count=9,
        reach=123456,
        respond_by=NOW + timedelta(hours=4),
        crisis_terms=("曝光",),
        top_title="门店被曝",
        top_url="https://weibo.test/1",
    )
    base.update(kw)
    return IncidentSnapshot(**base)  # type: ignore[arg-type]


def test_message_is_chinese_and_complete() -> None:
    msg = render("opened", _snap(), now=NOW)
    text = msg["text"]
    for part in (
        "星巴克",
        "P1",
        "新负面舆情",
        "https://weibo.test/1",
        "12 条",
        "123,456",
        "剩余 4小时0分",
        "brandguard alerts ack 7",
        "曝光",
    ):
        assert part in text, part
    assert "北京时间" in msg["markdown"]
    assert "14:00" in text  # 06:00 UTC shown as Asia/Shanghai


def test_digest_lists_items_and_counts_the_rest() -> None:
    msgs = [render("opened", _snap(id=i), now=NOW) for i in range(1, 6)]
    digest = render_digest(msgs, max_items=3)
    assert digest["items"] == [1, 2, 3, 4, 5]
    assert "5 条通知" in digest["title"] and "另有 2 条" in digest["text"]


@pytest.mark.parametrize("limit", [10, 11, 12, 4096])
def test_truncate_utf8_never_splits_a_character(limit: int) -> None:
    text = "负面舆情" * 500
    out = truncate_utf8(text, limit)
    assert len(out.encode()) <= limit
    out.encode().decode("utf-8")


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile(list(range(1, 101)), 95) == 95


def test_sla_report() -> None:
    def item(brand: str, sev: str, state: str, ack: int | None, resp: int | None) -> IncidentTimes:
        return IncidentTimes(
            brand,
            sev,
            state,
            NOW,
            NOW + timedelta(hours=4),
            NOW + timedelta(minutes=ack) if ack is not None else None,
            NOW + timedelta(minutes=resp) if resp is not None else None,
            None,
        )

    items = [
        item("A", "P1", "resolved", 10, 100),
        item("A", "P2", "responded", 30, 300),  # late
        item("B", "P3", "open", None, None),  # still running at `now`
        item("B", "P3", "dismissed", 5, None),
    ]
    report = sla_report(items, now=NOW + timedelta(hours=1))
    assert report["answered_in_time"] == 1 and report["decided"] == 2 and report["share_in_time"] == 0.5
    assert report["ack_minutes"] == {"median": 10, "p95": 30, "n": 2}
    assert report["breaches_by_brand"] == {"A": 1} and report["breaches_by_severity"] == {"P2": 1}
    later = sla_report(items, now=NOW + timedelta(hours=5))
    assert later["breaches"] == 2 and later["decided"] == 3


def test_sla_leaves_duplicates_to_the_incident_they_were_merged_into() -> None:
    from datetime import UTC, datetime, timedelta

    from alerts.sla import IncidentTimes, sla_report

    t0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    items = [
        IncidentTimes(
            "b", "P2", "responded", t0, t0 + timedelta(hours=4), None, t0 + timedelta(hours=1), None
        ),
        IncidentTimes("b", "P2", "duplicate", t0, t0 + timedelta(hours=4), None, None, None),
    ]
    report = sla_report(items, now=t0 + timedelta(hours=6))
    assert (report["counted"], report["duplicates"], report["dismissed"], report["breaches"]) == (1, 1, 0, 0)
