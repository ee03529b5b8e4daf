"""Scheduled briefings: when they are due, what each channel gets, idempotence, outbox and audit log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from alerts.notifiers.email import EmailNotifier
from monitor.config import Config, config_from_dict
from monitor.config.briefings import BriefingSchedule
from monitor.errors import ConfigError
from monitor.incidents.outbox import deliver_due
from monitor.reports import enqueue_due_briefs
from monitor.reports.delivery import due_slot
from monitor.storage.schema import audit_log, outbox
from tests.monitor.reports.fixture_data import seed

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY_0930 = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)


def schedule(period: str, time: str = "09:00") -> BriefingSchedule:
    return BriefingSchedule(period=period, time=time, brands=("甲品牌",), channels=("team",))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("period", "now", "expected"),
    [
        ("day", "2026-12-01T01:30:00", "2026-12-01T09:00"),  # 09:30 local: today's 09:00 slot
        ("day", "2026-12-01T00:59:00", None),  # 08:59 local: yesterday's slot is 24 h old (skipped)
        ("week", "2026-11-30T01:00:00", "2026-11-30T09:00"),  # Monday 09:00 on the dot
        ("week", "2026-12-01T01:30:00", None),  # Tuesday: Monday's slot is past the grace time
        ("month", "2026-12-01T03:00:00", "2026-12-01T09:00"),
        ("month", "2026-11-30T23:00:00", None),  # 07:00 on the 1st: before the slot, last month's is old
    ],
)
def test_due_slot(period: str, now: str, expected: str | None) -> None:
    slot = due_slot(schedule(period), datetime.fromisoformat(now).replace(tzinfo=UTC), ZONE)
    assert (slot.strftime("%Y-%m-%dT%H:%M") if slot else None) == expected


def config() -> Config:
    return config_from_dict(
        {
            "brands": [
                {"name": "甲品牌", "query": "甲品牌"},
                {"name": "乙品牌", "query": "乙品牌", "role": "competitor"},
            ],
            "channels": [
                {
                    "name": "team",
                    "kind": "wecom",
                    "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
                },
                {
                    "name": "leaders",
                    "kind": "email",
                    "smtp": {
                        "host": "127.0.0.1",
                        "sender": "bg@example.com",
                        "recipients": ["boss@example.com"],
                    },
                },
            ],
            "reports": [
                {
                    "period": "week",
                    "time": "09:00",
                    "brands": ["甲品牌"],
                    "channels": ["team", "leaders"],
                    "console_url": "https://bg.example.com/",
                }
            ],
        }
    )


def test_config_names_the_bad_key() -> None:
    base = config().model_dump(mode="json")
    base["reports"][0]["channels"] = ["nope"]
    with pytest.raises(ConfigError, match=r"reports\[0\]\.channels\[0\]: channel 'nope' is not defined"):
        config_from_dict(base)
    base["reports"][0]["channels"] = ["team"]
    base["reports"][0]["time"] = "9am"
    with pytest.raises(ConfigError, match=r"reports\[0\]\.time: .*HH:MM"):
        config_from_dict(base)


class Recorder:
    kind = "fake"

    def __init__(self) -> None:
        self.sent: list[Mapping[str, Any]] = []

    def send(self, message: Mapping[str, Any], *, idempotency_key: str, now: datetime) -> str:
        self.sent.append(message)
        return "ok"

    def close(self) -> None:
        return None


def test_a_due_brief_is_queued_once_per_channel_sent_and_audited(engine: Engine) -> None:
    seed(engine)
    cfg = config()
    assert enqueue_due_briefs(engine, cfg, MONDAY_0930) == 2
    assert enqueue_due_briefs(engine, cfg, MONDAY_0930) == 0  # the next tick, or a second daemon
    with engine.connect() as conn:
        rows = {r.channel: r for r in conn.execute(select(outbox))}
        queued = conn.execute(select(audit_log.c.kind).where(audit_log.c.kind == "report.brief.queued")).all()
    assert len(queued) == 2
    bot = rows["team"].payload
    assert rows["team"].kind == "brief" and rows["team"].incident_id is None
    assert bot["markdown"].startswith("### 甲品牌 舆情周报 2026-11-23 ~ 2026-11-29")
    assert "声量 **4** 条" in bot["markdown"]
    assert bot["link"] == (
        "https://bg.example.com/reports/brief?period=week&brand=%E7%94%B2%E5%93%81%E7%89%8C&since=2026-11-23"
    )
    assert len(bot["markdown"].encode()) <= 4096  # WeCom's markdown limit
    mail = rows["leaders"].payload
    assert mail["html"].count("<svg") == 4

    team, leaders = Recorder(), Recorder()
    assert deliver_due(engine, cfg, MONDAY_0930, notifiers={"team": team, "leaders": leaders}) == 2
    assert team.sent[0]["link"] == bot["link"]
    with engine.connect() as conn:
        assert {r.status for r in conn.execute(select(outbox))} == {"sent"}
        sent = conn.execute(select(audit_log.c.kind).where(audit_log.c.kind == "notify.sent")).all()
    assert len(sent) == 2

    email = EmailNotifier(host="127.0.0.1", port=25, sender="bg@example.com", recipients=["boss@example.com"])
    built = email.build(leaders.sent[0], idempotency_key="k", now=MONDAY_0930)
    html_part = built.get_body(preferencelist=("html",))
    assert html_part is not None and "<svg" in html_part.get_content()
    assert "声量" in built.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_nothing_is_queued_outside_the_slot(engine: Engine) -> None:
    assert enqueue_due_briefs(engine, config(), datetime(2026, 12, 1, 1, 30, tzinfo=UTC)) == 0
