"""Configuration -> the plain values alerts/ takes; the notifier table stays in step with the config."""

from __future__ import annotations

from typing import get_args

from alerts.notifiers.registry import KINDS
from alerts.routing import Route
from monitor.config.alerting import ChannelKind
from monitor.incidents.settings import channel_settings, render_settings, routes, update_params
from tests.monitor.incidents.helpers import make_config


def test_every_configurable_kind_has_a_notifier() -> None:
    assert set(get_args(ChannelKind)) == set(KINDS)


def test_routes_and_params_are_plain_values() -> None:
    cfg = make_config(
        {"threshold": 0.9, "calendar": "business", "quiet_hours": {"start": "22:00", "end": "08:00"}},
        routes=[{"severities": ["P1"], "channels": ["pr"], "escalate_to": ["lead"]}],
    )
    assert routes(cfg) == (Route(("*",), ("P1",), ("pr",), ("lead",)),)
    params = update_params(cfg, "星巴克")
    assert params.policy.threshold == 0.9 and params.calendar is not None
    assert params.respond_by_hours == {"P1": 4.0, "P2": 4.0, "P3": 4.0}
    quiet = render_settings(cfg).quiet
    assert quiet is not None and quiet.severities == frozenset({"P2", "P3"})


def test_secrets_come_from_the_environment() -> None:
    cfg = make_config(
        channels=[{"name": "d", "kind": "dingtalk", "url": "https://oapi.test/send", "secret_env": "S"}],
        routes=[{"channels": ["d"]}],
        environ={"S": "ds"},
    )
    [channel] = cfg.channels
    assert channel_settings(channel, {"S": "ds"}).secret == "ds"
    assert channel_settings(channel, {}).secret is None
