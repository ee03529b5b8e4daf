"""Quiet hours: P2/P3 messages raised inside the window are held until it ends. P1 is never held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def quiet_until(
    now: datetime, *, start: time, end: time, tz: str, severity: str, severities: frozenset[str]
) -> datetime | None:
    """End of the current quiet window (UTC) if ``now`` is inside it for ``severity``, else None."""
    if severity == "P1" or severity not in severities:
        return None
    local = now.astimezone(ZoneInfo(tz))
    t = local.time()
    zone = ZoneInfo(tz)
    if start < end:
        inside = start <= t < end
        end_day = local.date()
    else:  # the window crosses midnight, e.g. 22:00-08:00
        inside = t >= start or t < end
        end_day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, zone).astimezone(UTC)


@dataclass(frozen=True)
class QuietWindow:
    """``[alerts.quiet_hours]`` as plain values: local wall-clock window, its zone, the tiers it holds."""

    start: time
    end: time
    tz: str
    severities: frozenset[str]


def held_until(now: datetime, severity: str, window: QuietWindow | None) -> datetime | None:
    """When a message of ``severity`` raised at ``now`` may go out, or None when it may go now."""
    if window is None:
        return None
    return quiet_until(
        now, start=window.start, end=window.end, tz=window.tz, severity=severity, severities=window.severities
    )
