"""Numbers in a brief equal hand-computed ones (fixture_data.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from monitor.errors import UsageError
from monitor.reports import BriefRequest, build_brief
from monitor.reports.rollup import refresh_rollup
from monitor.storage import brief_rollup_repo
from tests.monitor.reports.fixture_data import NOW, config, seed

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(params=["rows", "rollup"])
def brief(engine: Engine, request: pytest.FixtureRequest) -> dict:
    """The same hand-computed figures whether the mentions are counted live (nothing summarised yet)
    or read from the hourly rollups."""
    seed(engine)
    if request.param == "rollup":
        refresh_rollup(engine, NOW)
        with engine.connect() as conn:
            assert brief_rollup_repo.read_mark(conn) == brief_rollup_repo.max_mention_id(conn)
    with engine.connect() as conn:
        return build_brief(conn, config(), BriefRequest("week"), now=NOW, zone=ZONE)


def test_window_is_last_complete_week_in_the_display_zone(brief: dict) -> None:
    assert brief["days"][0] == "2026-11-23" and brief["days"][-1] == "2026-11-29"
    assert brief["window"]["start"] == "2026-11-23T00:00+08:00"
    assert brief["previous_days"][0] == "2026-11-16"
    assert brief["brands"] == ["甲品牌"] and brief["competitors"] == ["乙品牌"]


def test_volume_by_local_day_with_empty_days_and_midnight_boundaries(brief: dict) -> None:
    # 16:00Z on 11-22 is local midnight of 11-23 (counted this week); 15:59:59Z is the previous week.
    assert brief["volume"]["by_day"] == [2, 0, 1, 0, 0, 0, 1]
    assert brief["volume"]["previous_by_day"] == [0, 1, 0, 0, 0, 0, 1]
    assert (brief["volume"]["total"], brief["volume"]["previous"], brief["volume"]["change"]) == (4, 2, 1.0)


def test_sentiment_split_and_negative_share(brief: dict) -> None:
    by_day = brief["sentiment"]["by_day"]
    assert by_day["negative"] == [1, 0, 0, 0, 0, 0, 1]
    assert by_day["neutral"] == [1, 0, 0, 0, 0, 0, 0]
    assert by_day["positive"] == [0, 0, 1, 0, 0, 0, 0]
    assert brief["sentiment"]["negative_share"] == 0.5
    assert brief["sentiment"]["previous_negative_share"] == 0.5


def test_share_of_voice_against_the_competitor(brief: dict) -> None:
    sov = {s["brand"]: s for s in brief["share_of_voice"]}
    assert sov["甲品牌"]["mentions"] == 4 and sov["乙品牌"]["mentions"] == 4
    assert sov["甲品牌"]["share"] == 0.5 and sov["乙品牌"]["previous_share"] == 0.5
    assert sov["乙品牌"]["role"] == "competitor"


def test_top_stories_by_heat(brief: dict) -> None:
    stories = brief["stories"]
    assert [s["story_key"] for s in stories] == ["s1", "s2", "s3"]
    s1 = stories[0]
    assert (s1["mentions"], s1["negative"], s1["reach"], s1["likes"], s1["reposts"]) == (
        2,
        1,
        100_010,
        50,
        20,
    )
    assert s1["heat"] == pytest.approx(2 + 20 / 10 + 50 / 100 + 100_010 / 10_000, abs=0.05)
    assert s1["title"] == "甲品牌 电池起火 投诉"  # the first mention of the story
    assert [s["velocity_24h"] for s in stories] == [0, 0, 1]


def test_platforms_sources_and_authors(brief: dict) -> None:
    assert {p["platform"]: (p["mentions"], p["negative"]) for p in brief["platforms"]} == {
        "微博": (2, 1),
        "知乎": (1, 0),
        "小红书": (1, 1),
    }
    assert {s["source"]: s["mentions"] for s in brief["sources"]} == {"feed-a": 2, "feed-b": 1, "API 推送": 1}
    assert [(a["author"], a["followers"], a["engagement"]) for a in brief["authors"]] == [
        ("大V", 100_000, 70),
        ("知友", 500, 10),
        ("小号", 10, 0),
    ]


def test_incidents_with_sla(brief: dict) -> None:
    sla = brief["incidents"]["sla"]
    assert (sla["incidents"], sla["decided"], sla["answered_in_time"], sla["breaches"]) == (2, 2, 1, 1)
    assert [i["in_time"] for i in brief["incidents"]["items"]] in ([True, False], [False, True])
    assert sorted(i["response_minutes"] for i in brief["incidents"]["items"]) == [120, 300]


def test_coverage_counts_overlapping_and_open_blind_windows_once(brief: dict) -> None:
    cov = brief["coverage"]
    # feed-a: 36 h (two overlapping outages), feed-b: 12 h (open, until the week's end); 2 sources x 168 h
    assert cov["sources"] == 2
    assert cov["blind_hours"] == 48.0
    assert cov["share"] == pytest.approx(1 - 48 / 336)
    assert len(cov["blind_windows"]) == 3


def test_health_index_matches_its_formula(brief: dict) -> None:
    health = brief["health"]
    # sentiment (1 + (1 - 2) / 4) / 2 = 0.375; response 1/2; voice 0.5 / 0.5 = 1
    assert health["components"] == {"sentiment": 0.375, "response": 0.5, "voice": 1.0}
    assert health["score"] == round(100 * (0.5 * 0.375 + 0.25 * 0.5 + 0.25 * 1.0))
    assert health["explained"].startswith(f"{health['score']} = 100 × (0.5 × 0.38")


def test_rising_keywords_leave_out_brand_names(brief: dict) -> None:
    terms = {k["term"]: k for k in brief["keywords"]}
    assert "电池起火" in terms or "电池" in terms
    assert "甲品牌" not in terms
    assert all(k["count"] >= 2 for k in brief["keywords"])


def test_a_day_brief_and_an_unknown_brand(engine: Engine) -> None:
    seed(engine)
    with engine.connect() as conn:
        day = build_brief(
            conn,
            config(),
            BriefRequest("day", since=__import__("datetime").date(2026, 11, 23), keywords=False),
            now=NOW,
            zone=ZONE,
        )
        assert day["volume"]["by_day"] == [2] and day["volume"]["previous_by_day"] == [1]
        with pytest.raises(UsageError, match="unknown brand"):
            build_brief(conn, config(), BriefRequest("week", brands=("丙",)), now=NOW, zone=ZONE)


def test_an_empty_database_gives_zeros_not_errors(engine: Engine) -> None:
    with engine.connect() as conn:
        brief = build_brief(conn, config(), BriefRequest("month"), now=NOW, zone=ZONE)
    assert brief["days"][0] == "2026-11-01" and len(brief["days"]) == 30
    assert brief["volume"]["total"] == 0 and brief["sentiment"]["negative_share"] is None
    assert brief["coverage"]["share"] is None and brief["stories"] == []
    assert brief["health"]["score"] is None  # not a 75 made of defaults
