"""Incident life cycle: open -> acknowledged -> responded -> resolved, or dismissed (a false alarm), or
duplicate (merged into another incident: not a false alarm, so it never becomes model feedback).

Skipping ahead is allowed (respond without a separate ack implies the ack; resolve straight from open is
allowed for incidents handled elsewhere), going back is not, and closed incidents stay closed.
"""

from __future__ import annotations

from alerts.errors import TransitionError

STATES: tuple[str, ...] = ("open", "acknowledged", "responded", "resolved", "dismissed", "duplicate")
OPEN_STATES = frozenset({"open", "acknowledged", "responded"})
CLOSED_STATES = frozenset({"resolved", "dismissed", "duplicate"})

_ALLOWED: dict[str, frozenset[str]] = {
    "acknowledge": frozenset({"open"}),
    "respond": frozenset({"open", "acknowledged", "responded"}),  # a corrected response is allowed
    "resolve": frozenset({"open", "acknowledged", "responded"}),
    "dismiss": frozenset({"open", "acknowledged"}),
    "merge": frozenset({"open", "acknowledged", "responded"}),
}
_TARGET = {
    "acknowledge": "acknowledged",
    "respond": "responded",
    "resolve": "resolved",
    "dismiss": "dismissed",
    "merge": "duplicate",
}


def next_state(current: str, action: str, *, incident_id: int | None = None) -> str:
    """The state after ``action``; raises TransitionError when the action is not allowed from ``current``."""
    if action not in _ALLOWED:
        raise TransitionError(f"unknown action {action!r}")
    if current not in _ALLOWED[action]:
        label = f"incident {incident_id}" if incident_id is not None else "incident"
        raise TransitionError(f"cannot {action} {label}: it is {current}")
    return _TARGET[action]
