"""Incident messages say when coverage was partial (plain data in, text out; times in Beijing time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.message import IncidentSnapshot, coverage_note, render

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 17:00 Beijing


def _snap(**kw: object) -> IncidentSnapshot:
    base: dict[str, object] = {
        "id": 7,
        "brand": "云朵奶茶",
        "severity": "P1",
        "title": "门店用过期原料",
        "mention_count": 3,
        "negative_count": 3,
        "reach": 250_000,
        "respond_by": NOW + timedelta(hours=4),
    }
    base.update(kw)
    return IncidentSnapshot(**base)  # type: ignore[arg-type]


def test_partial_coverage_is_in_text_and_markdown() -> None:
    blind = (("微博", datetime(2026, 11, 20, 6, 0, tzinfo=UTC), datetime(2026, 11, 20, 8, 30, tzinfo=UTC)),)
    msg = render("opened", _snap(blind=blind), now=NOW)
    assert "覆盖不完整：微博 未覆盖 14:00–16:30" in msg["text"]
    assert "微博 未覆盖 14:00–16:30" in msg["markdown"]


def test_still_blind_says_until_now_and_full_coverage_says_nothing() -> None:
    assert coverage_note((("小红书", NOW - timedelta(minutes=50), None),), "Asia/Shanghai") == (
        "覆盖不完整：小红书 未覆盖 16:10–至今"
    )
    assert "未覆盖" not in render("opened", _snap(), now=NOW)["text"]


def test_platform_reach_and_engagement_lift_the_tier() -> None:
    from alerts.policy import MentionFacts, PolicyParams, severity_for

    params = PolicyParams()
    # The case: a 250k-follower account. Before, RSS carried no counts and it read "覆盖 0".
    post = MentionFacts(p_negative=0.8, followers=250_000, reposts=1_200, comments=340, likes=5_600)
    assert post.reach == 257_140
    assert (
        severity_for(max_p_negative=0.8, reach=post.reach, velocity=1, crisis_terms=(), params=params) == "P1"
    )
    quiet = MentionFacts(p_negative=0.8)
    assert (
        severity_for(max_p_negative=0.8, reach=quiet.reach, velocity=1, crisis_terms=(), params=params)
        == "P3"
    )
