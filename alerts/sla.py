"""SLA figures over closed and open incidents: share answered in time, time to ack/respond, breaches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class IncidentTimes:
    brand: str
    severity: str
    state: str
    opened_at: datetime
    respond_by: datetime
    acknowledged_at: datetime | None
    responded_at: datetime | None
    breached_at: datetime | None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no data."""
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, -(-len(ordered) * q // 100) - 1))
    return ordered[int(index)]


def sla_report(items: Sequence[IncidentTimes], *, now: datetime) -> dict[str, Any]:
    # Dismissed incidents were false alarms: they do not count for or against the team. Duplicates were
    # merged into another incident, which carries their clock (the earlier deadline of the two).
    counted = [i for i in items if i.state not in ("dismissed", "duplicate")]
    ack = [(i.acknowledged_at - i.opened_at).total_seconds() / 60 for i in counted if i.acknowledged_at]
    resp = [(i.responded_at - i.opened_at).total_seconds() / 60 for i in counted if i.responded_at]
    in_time = sum(1 for i in counted if i.responded_at is not None and i.responded_at <= i.respond_by)
    # Still running and not yet due: neither in time nor breached yet, so left out of the share.
    decided = [i for i in counted if i.responded_at is not None or now >= i.respond_by]
    breached = [i for i in counted if i.breached_at is not None or (i.responded_at or now) > i.respond_by]
    by_brand = Counter(i.brand for i in breached)
    by_severity = Counter(i.severity for i in breached)
    return {
        "incidents": len(items),
        "counted": len(counted),
        "dismissed": sum(1 for i in items if i.state == "dismissed"),
        "duplicates": sum(1 for i in items if i.state == "duplicate"),
        "answered_in_time": in_time,
        "decided": len(decided),
        "share_in_time": (in_time / len(decided)) if decided else None,
        "ack_minutes": {"median": percentile(ack, 50), "p95": percentile(ack, 95), "n": len(ack)},
        "respond_minutes": {"median": percentile(resp, 50), "p95": percentile(resp, 95), "n": len(resp)},
        "breaches": len(breached),
        "breaches_by_brand": dict(sorted(by_brand.items())),
        "breaches_by_severity": dict(sorted(by_severity.items())),
    }
