"""Routing and escalation over plain routes."""

from __future__ import annotations

import pytest

from alerts.deadline import BREACH, ESCALATION, reminder_kind
from alerts.routing import Route, clock_channels, escalation_channels, route_channels

ROUTES = (
    Route(brands=("*",), severities=("P1", "P2"), channels=("pr", "ops"), escalate_to=("lead",)),
    Route(brands=("星巴克",), channels=("sbux", "pr"), escalate_to=("lead", "vp")),
    Route(brands=("别的",), severities=("P3",), channels=("other",)),
)


@pytest.mark.parametrize(
    ("brand", "severity", "team", "above"),
    [
        ("星巴克", "P1", ["pr", "ops", "sbux"], ["lead", "vp"]),  # config order, no repeats
        ("星巴克", "P3", ["sbux", "pr"], ["lead", "vp"]),  # the wildcard route is P1/P2 only
        ("别的", "P3", ["other"], []),
        ("无名", "P3", [], []),  # no route: nobody is told, nothing is queued
    ],
)
def test_routes(brand: str, severity: str, team: list[str], above: list[str]) -> None:
    assert route_channels(ROUTES, brand, severity) == team
    assert escalation_channels(ROUTES, brand, severity) == above


def test_clock_events_go_to_the_right_people() -> None:
    assert clock_channels(ROUTES, reminder_kind(30), "星巴克", "P1") == ["pr", "ops", "sbux"]
    assert clock_channels(ROUTES, ESCALATION, "星巴克", "P1") == ["lead", "vp"]
    # A missed deadline is everybody's business: the team and the people above, each once.
    assert clock_channels(ROUTES, BREACH, "星巴克", "P1") == ["pr", "ops", "sbux", "lead", "vp"]
    assert clock_channels(ROUTES, ESCALATION, "别的", "P3") == []
