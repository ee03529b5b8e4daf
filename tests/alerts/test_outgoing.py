"""Composing a decision's outbox messages: one per channel, stable keys, the quiet-hour hold."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from alerts.message import IncidentSnapshot
from alerts.outgoing import HELD_QUIET, RenderSettings, compose, incident_key
from alerts.quiet import QuietWindow

NIGHT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 Asia/Shanghai
MORNING = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00 Asia/Shanghai
QUIET = RenderSettings(quiet=QuietWindow(time(22, 0), time(8, 0), "Asia/Shanghai", frozenset({"P2", "P3"})))


def _snapshot(severity: str) -> IncidentSnapshot:
    return IncidentSnapshot(
        id=5,
        brand="星巴克",
        severity=severity,
        title="门店被曝使用过期食材",
        mention_count=3,
        negative_count=2,
        reach=12_000,
        respond_by=NIGHT + timedelta(hours=4),
    )


def test_one_message_per_channel_with_its_own_key() -> None:
    messages = compose(
        "opened", "opened", _snapshot("P2"), ["pr", "lead"], now=NIGHT, settings=RenderSettings()
    )
    assert [m.channel for m in messages] == ["pr", "lead"]
    assert [m.idempotency_key for m in messages] == [incident_key(c, 5, "opened") for c in ("pr", "lead")]
    assert all(m.not_before == NIGHT and "held" not in m.payload for m in messages)
    assert messages[0].payload["title"] == "【P2·新负面舆情】星巴克"


@pytest.mark.parametrize(("severity", "held"), [("P1", False), ("P2", True), ("P3", True)])
def test_quiet_hours_hold_low_tiers_until_morning(severity: str, held: bool) -> None:
    [message] = compose("opened", "opened", _snapshot(severity), ["pr"], now=NIGHT, settings=QUIET)
    assert (message.payload.get("held") == HELD_QUIET) is held
    assert message.not_before == (MORNING if held else NIGHT)


def test_no_channels_no_messages() -> None:
    assert compose("opened", "opened", _snapshot("P1"), [], now=NIGHT, settings=QUIET) == []
