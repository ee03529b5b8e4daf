"""Severity tiers. P1 is the most severe; a lower rank number means more severe."""

from __future__ import annotations

SEVERITIES: tuple[str, ...] = ("P1", "P2", "P3")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def rank(severity: str) -> int:
    return _RANK[severity]


def more_severe(a: str, b: str | None) -> bool:
    """True when ``a`` is strictly more severe than ``b`` (None counts as below every tier)."""
    return b is None or rank(a) < rank(b)


def highest(*severities: str) -> str:
    return min(severities, key=rank)
