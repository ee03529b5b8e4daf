"""Cards per platform: fields, buttons, @-mentions, the clock only while it runs, size limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from alerts.cards import card_data, dingtalk_body, feishu_card, platform_of, wecom_body
from alerts.deep_link import LinkError, incident_link, make_token, read_token
from alerts.oncall import Person
from tests.integration.fake_bots import dingtalk_problem, feishu_problem, wecom_problem

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
ZHANG = Person("张三", "13800000000", {"feishu": "ou_zhang", "wecom": "zhangsan", "dingtalk": "zs"})


def _card(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "kind_label": "新负面舆情",
        "incident_id": 7,
        "brand": "星巴克",
        "severity": "P1",
        "title": "星巴克门店被曝使用过期食材",
        "sentiment": 0.973,
        "mention_count": 12,
        "negative_count": 9,
        "reach": 150_000,
        "respond_by": NOW + timedelta(hours=3, minutes=59),
        "clock_running": True,
        "source_url": "https://m.weibo.com/status/1",
        "open_url": "https://bg.example.com/go/tok",
        "people": (),
    }
    values.update(overrides)
    return card_data(**values)  # type: ignore[arg-type]


def test_card_data_names_platform_and_rounds_sentiment() -> None:
    card = _card()
    assert card["platform"] == "微博" and card["sentiment"] == 0.97
    assert platform_of("https://www.xiaohongshu.com/x") == "小红书"
    assert platform_of("https://news.example.cn/a") == "news.example.cn" and platform_of(None) == "未知"


def test_feishu_interactive_card_has_fields_buttons_and_at() -> None:
    body = feishu_card(_card(people=(ZHANG,)), NOW)
    assert feishu_problem(body) is None
    text = json.dumps(body, ensure_ascii=False)
    for fragment in (
        "星巴克",
        "P1",
        "微博",
        "0.97",
        "12 条",
        "150,000",
        "剩余 3小时59分",
        "<at id=ou_zhang></at>",
    ):
        assert fragment in text, fragment
    action = body["card"]["elements"][-1]
    assert [b["text"]["content"] for b in action["actions"]] == ["处理", "查看原文"]
    assert action["actions"][0]["url"] == "https://bg.example.com/go/tok"
    assert body["card"]["header"]["template"] == "red"


def test_dingtalk_action_card_without_mentions_and_markdown_with_them() -> None:
    plain = dingtalk_body(_card(severity="P2"), NOW)
    assert plain["msgtype"] == "actionCard" and dingtalk_problem(plain) is None
    assert plain["actionCard"]["btns"][0] == {"title": "处理", "actionURL": "https://bg.example.com/go/tok"}
    mention = dingtalk_body(_card(people=(ZHANG,)), NOW)
    assert mention["msgtype"] == "markdown" and dingtalk_problem(mention) is None
    assert mention["at"]["atMobiles"] == ["13800000000"]
    assert "[处理](https://bg.example.com/go/tok)" in mention["markdown"]["text"]


def test_wecom_template_card_and_markdown_mention() -> None:
    card = wecom_body(_card(), NOW)
    assert card["msgtype"] == "template_card" and wecom_problem(card) is None
    assert card["template_card"]["card_action"]["url"] == "https://bg.example.com/go/tok"
    mention = wecom_body(_card(people=(ZHANG,)), NOW)
    assert mention["msgtype"] == "markdown" and "<@zhangsan>" in mention["markdown"]["content"]


def test_responded_incident_shows_no_countdown() -> None:
    body = feishu_card(_card(clock_running=False, respond_by=NOW - timedelta(hours=1)), NOW)
    text = json.dumps(body, ensure_ascii=False)
    assert "已超时" not in text and "计时停止" in text


@pytest.mark.parametrize("build", [feishu_card, dingtalk_body, wecom_body])
def test_huge_title_stays_inside_the_platform_limit_and_keeps_mentions(build: object) -> None:
    body = build(_card(title="过期食材" * 5000, people=(ZHANG,)), NOW)  # type: ignore[operator]
    problem = (
        feishu_problem(body)
        if "msg_type" in body
        else dingtalk_problem(body)
        if "at" in body
        else wecom_problem(body)
    )
    assert problem is None
    text = json.dumps(body, ensure_ascii=False)
    assert "ou_zhang" in text or "13800000000" in text or "<@zhangsan>" in text


def test_without_console_url_there_is_no_button_but_a_cli_hint() -> None:
    body = dingtalk_body(_card(open_url=None, source_url=None, severity="P3"), NOW)
    assert dingtalk_problem(body) is None and "brandguard alerts ack 7" in body["actionCard"]["text"]
    wecom = wecom_body(_card(open_url=None, source_url=None, severity="P3"), NOW)
    assert wecom["msgtype"] == "markdown" and wecom_problem(wecom) is None


def test_deep_link_token_round_trip_tamper_and_expiry() -> None:
    token = make_token("k" * 32, 42, now=NOW, ttl=timedelta(hours=72))
    assert read_token("k" * 32, token, now=NOW + timedelta(hours=71)) == 42
    with pytest.raises(LinkError, match="expired"):
        read_token("k" * 32, token, now=NOW + timedelta(hours=73))
    with pytest.raises(LinkError, match="not valid"):
        read_token("k" * 32, token.replace("42.", "43."), now=NOW)
    with pytest.raises(LinkError, match="not valid"):
        read_token("other-key", token, now=NOW)
    link = incident_link("https://bg.example.com/", "k" * 32, 42, now=NOW, ttl=timedelta(hours=1))
    assert link.startswith("https://bg.example.com/go/42.")
