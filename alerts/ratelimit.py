"""Sliding one-minute window per channel, kept as a list of send times (stored in channel_state)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


def prune(sent: Sequence[datetime], now: datetime) -> list[datetime]:
    return sorted(t for t in sent if now - t < WINDOW)


def budget(sent: Sequence[datetime], now: datetime, per_minute: int) -> int:
    """How many more messages may go out now."""
    return max(0, per_minute - len(prune(sent, now)))


def next_free_at(sent: Sequence[datetime], now: datetime, per_minute: int) -> datetime:
    """When the window next has room (``now`` when it already has)."""
    window = prune(sent, now)
    if len(window) < per_minute:
        return now
    return window[len(window) - per_minute] + WINDOW
