from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from monitor.config.alerting import AlertsSection, ChannelConfig, RouteConfig, check_alert_references


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"thresold": 0.5}, "thresold"),
        ({"threshold": 1.5}, "threshold"),
        ({"brand_thresholds": {"星巴克": 2}}, "星巴克"),
        ({"respond_by_hours": {"P1": 0}}, "respond_by_hours.P1"),
        ({"respond_by_hours": {"P4": 1}}, "P4"),
        ({"calendar": "weekdays"}, "calendar"),
        ({"business_hours": {"start": "18:00", "end": "09:00"}}, "before"),
        ({"business_hours": {"start": "9am"}}, "HH:MM"),
        ({"reminder_offsets_minutes": [0]}, "reminder_offsets_minutes"),
        ({"quiet_hours": {"severities": ["P1"]}}, "quiet_hours.severities"),
        ({"digest": {"max_itmes": 3}}, "max_itmes"),
    ],
)
def test_bad_alerts_section_names_the_key(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        AlertsSection.model_validate(data)
    assert fragment in str(info.value)


def test_defaults() -> None:
    a = AlertsSection()
    assert a.respond_by_hours == {"P1": 4.0, "P2": 4.0, "P3": 4.0}
    assert a.reminder_offsets_minutes == [120, 60, 30] and a.calendar == "24x7"
    assert a.business_calendar() is None and a.quiet_window() is None
    partial = AlertsSection(respond_by_hours={"P1": 1})  # type: ignore[dict-item]
    assert partial.respond_by_hours["P1"] == 1 and partial.respond_by_hours["P3"] == 4.0
    assert AlertsSection(brand_thresholds={"A": 0.9}).policy_params("A").threshold == 0.9


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"name": "x", "kind": "wecom"}, "needs a url"),
        ({"name": "x", "kind": "email"}, "smtp"),
        ({"name": "x", "kind": "slack", "url": "https://a"}, "kind"),
        ({"name": "x", "kind": "webhook", "url": "file:///etc/passwd"}, "http"),
        ({"name": "x", "kind": "webhook", "url": "https://a", "secret": "s3cr3t"}, "secret"),
    ],
)
def test_bad_channel(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        ChannelConfig.model_validate(data)
    assert fragment in str(info.value)


def test_route_references() -> None:
    channels = [ChannelConfig(name="a", kind="webhook", url="https://a")]
    check_alert_references(channels, [RouteConfig(channels=["a"])])
    with pytest.raises(ValueError, match=r"routes\[0\].escalate_to: unknown channel 'b'"):
        check_alert_references(channels, [RouteConfig(channels=["a"], escalate_to=["b"])])
    with pytest.raises(ValueError, match="duplicate"):
        check_alert_references(channels * 2, [])


def test_route_matching() -> None:
    r = RouteConfig(brands=["星巴克"], severities=["P1"], channels=["a"])
    assert r.matches("星巴克", "P1") and not r.matches("星巴克", "P2") and not r.matches("瑞幸", "P1")
    assert RouteConfig(channels=["a"]).matches("任意", "P3")
