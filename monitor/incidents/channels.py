"""Channel health at the database edge: a channel's stored state (rate window, disabled mark) and the
operator's re-enable after fixing a key that a permanent error had disabled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from monitor.incidents.journal import audit
from monitor.storage import outbox_repo


def channel_state(engine: Engine, name: str, now: datetime) -> dict[str, Any]:
    """The channel's state row, created on first use."""
    with engine.begin() as conn:
        row = outbox_repo.get_channel(conn, name)
    if row is not None:
        return dict(row)
    try:
        with engine.begin() as conn:
            outbox_repo.insert_channel(conn, name, now)
    except IntegrityError:
        pass  # another daemon created it first; read theirs
    with engine.begin() as conn:
        row = outbox_repo.get_channel(conn, name)
    assert row is not None  # created above, by us or by another daemon
    return dict(row)


def sent_window(state: dict[str, Any]) -> list[datetime]:
    """The stored send times of a channel state row."""
    return [datetime.fromisoformat(t) for t in state.get("sent_window") or []]


def enable_channel(engine: Engine, name: str, *, actor: str, now: datetime) -> bool:
    """Re-enable a channel disabled by a permanent error (after the operator fixed the key)."""
    with engine.begin() as conn:
        changed = outbox_repo.enable_channel(conn, name, now)
        if changed:
            audit(
                conn, actor=actor, kind="notify.channel_enabled", subject=f"channel:{name}", data={}, now=now
            )
        return changed
