from __future__ import annotations

import pytest

from alerts.errors import TransitionError
from alerts.transitions import next_state

ALLOWED = [
    ("open", "acknowledge", "acknowledged"),
    ("open", "respond", "responded"),
    ("acknowledged", "respond", "responded"),
    ("responded", "respond", "responded"),
    ("responded", "resolve", "resolved"),
    ("open", "resolve", "resolved"),
    ("open", "dismiss", "dismissed"),
    ("acknowledged", "dismiss", "dismissed"),
]
FORBIDDEN = [
    ("acknowledged", "acknowledge"),
    ("responded", "acknowledge"),
    ("responded", "dismiss"),
    ("resolved", "acknowledge"),
    ("resolved", "respond"),
    ("resolved", "resolve"),
    ("dismissed", "resolve"),
    ("dismissed", "respond"),
    ("dismissed", "dismiss"),
]


@pytest.mark.parametrize(("state", "action", "target"), ALLOWED)
def test_allowed(state: str, action: str, target: str) -> None:
    assert next_state(state, action) == target


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_forbidden(state: str, action: str) -> None:
    with pytest.raises(TransitionError, match=f"cannot {action} incident 7: it is {state}"):
        next_state(state, action, incident_id=7)


def test_unknown_action() -> None:
    with pytest.raises(TransitionError, match="unknown action"):
        next_state("open", "escalate")
