"""End to end: a P1 incident reaches real (fake) bots as a card with a signed 处理 button and @on-call."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from alerts.deep_link import read_token
from monitor import incidents
from monitor.incidents.outbox import deliver_due
from monitor.storage.engine import open_database
from monitor.storage.link_key_repo import link_key
from monitor.storage.schema import channel_state
from tests.integration import fake_bots as fb
from tests.monitor.incidents.helpers import T0, add_mention, make_config

pytestmark = pytest.mark.integration

ONCALL = {
    "name": "张三",
    "mobile": "13800000000",
    "user_ids": {"feishu": "ou_zhang", "wecom": "zhangsan", "dingtalk": "zs"},
}


@pytest.fixture
def bots() -> Iterator[tuple[str, fb.BotState]]:
    with fb.fake_bots() as served:
        yield served


def _config(base: str, *, oncall: bool = True) -> object:
    channels = [
        {"name": "wecom", "kind": "wecom", "url": f"{base}/wecom/send", "key_env": "WECOM_KEY"},
        {
            "name": "ding",
            "kind": "dingtalk",
            "url": f"{base}/dingtalk/robot/send?access_token={fb.DINGTALK_TOKEN}",
            "secret_env": "DING_SECRET",
        },
        {"name": "feishu", "kind": "feishu", "url": f"{base}/feishu/hook/abc", "secret_env": "FEISHU_SECRET"},
    ]
    env = {"WECOM_KEY": fb.WECOM_KEY, "DING_SECRET": fb.DINGTALK_SECRET, "FEISHU_SECRET": fb.FEISHU_SECRET}
    alerts = {"console_url": "https://bg.example.com", "oncall": [ONCALL] if oncall else []}
    return make_config(
        alerts, channels=channels, routes=[{"channels": ["wecom", "ding", "feishu"]}], environ=env
    )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WECOM_KEY", fb.WECOM_KEY)
    monkeypatch.setenv("DING_SECRET", fb.DINGTALK_SECRET)
    monkeypatch.setenv("FEISHU_SECRET", fb.FEISHU_SECRET)


def test_p1_card_with_signed_button_and_mentions_on_every_platform(
    bots: tuple[str, fb.BotState], db_url: str, env: None
) -> None:
    base, state = bots
    cfg = _config(base)
    engine = open_database(db_url)
    try:
        add_mention(engine, followers=200_000, risk_terms=["召回"])  # reach -> P1
        incidents.process_pending_mentions(engine, cfg, T0)  # type: ignore[arg-type]
        assert deliver_due(engine, cfg, T0) == 3  # type: ignore[arg-type]
        with engine.begin() as conn:
            key = link_key(conn, T0)
        bodies = {r["path"].split("/")[1]: r["body"] for r in state.accepted}
        assert set(bodies) == {"wecom", "dingtalk", "feishu"}
        assert bodies["feishu"]["msg_type"] == "interactive"
        assert bodies["dingtalk"]["at"]["atMobiles"] == ["13800000000"]
        assert "<@zhangsan>" in bodies["wecom"]["markdown"]["content"]
        for body in bodies.values():
            text = json.dumps(body, ensure_ascii=False)
            assert "星巴克" in text and "P1" in text and "剩余" in text
            token = text.split("https://bg.example.com/go/")[1].split(")")[0].split('"')[0]
            assert read_token(key, token, now=T0) == 1
        with engine.connect() as conn:
            ok = dict(conn.execute(select(channel_state.c.name, channel_state.c.ok_count)).all())
        assert ok == {"wecom": 1, "ding": 1, "feishu": 1}
    finally:
        engine.dispose()


def test_p2_without_oncall_is_an_action_card_and_a_template_card(
    bots: tuple[str, fb.BotState], sqlite_url: str, env: None
) -> None:
    base, state = bots
    cfg = _config(base, oncall=False)
    engine = open_database(sqlite_url)
    try:
        add_mention(engine, risk_terms=["召回"])  # crisis terms alone -> P2
        incidents.process_pending_mentions(engine, cfg, T0)  # type: ignore[arg-type]
        assert deliver_due(engine, cfg, T0) == 3  # type: ignore[arg-type]
        kinds = sorted(r["body"].get("msgtype") or r["body"].get("msg_type") for r in state.accepted)
        assert kinds == ["actionCard", "interactive", "template_card"]
    finally:
        engine.dispose()
