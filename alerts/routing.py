"""Routing and escalation: which channels hear about an incident, for each kind of message.

Pure over plain route data: the edge builds ``Route`` values from ``[[routes]]`` in the configuration.
Every route that matches the brand and the tier contributes its channels, in configuration order and
without repeats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from alerts.deadline import ESCALATION, is_reminder


@dataclass(frozen=True)
class Route:
    brands: tuple[str, ...] = ("*",)
    severities: tuple[str, ...] = ("P1", "P2", "P3")
    channels: tuple[str, ...] = ()
    escalate_to: tuple[str, ...] = ()

    def matches(self, brand: str, severity: str) -> bool:
        return ("*" in self.brands or brand in self.brands) and severity in self.severities


def _collect(groups: Iterable[Sequence[str]]) -> list[str]:
    names: list[str] = []
    for group in groups:
        names.extend(n for n in group if n not in names)
    return names


def route_channels(routes: Sequence[Route], brand: str, severity: str) -> list[str]:
    """Channels of the team that answers: opened, upgraded and reminder messages go here."""
    return _collect(r.channels for r in routes if r.matches(brand, severity))


def escalation_channels(routes: Sequence[Route], brand: str, severity: str) -> list[str]:
    """Channels of the people above the team: an unacknowledged incident escalates here."""
    return _collect(r.escalate_to for r in routes if r.matches(brand, severity))


def clock_channels(routes: Sequence[Route], event_kind: str, brand: str, severity: str) -> list[str]:
    """Channels for a fired clock event (``alerts.deadline`` kinds).

    A reminder goes to the team, an escalation to the escalation channels only; a breach goes to both,
    because by then the team has missed the deadline and the people above must know too.
    """
    if is_reminder(event_kind):
        return route_channels(routes, brand, severity)
    if event_kind == ESCALATION:
        return escalation_channels(routes, brand, severity)
    channels = route_channels(routes, brand, severity)
    return channels + [c for c in escalation_channels(routes, brand, severity) if c not in channels]
