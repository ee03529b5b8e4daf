"""The daemon's audit tick: sign the head when it is due, then copy new checkpoints to the anchors.

The daemon ticks every few minutes (``monitor.crawl.daemon.AUDIT_TICK_S``) and signs when the newest
checkpoint is older than half the checkpoint interval, so no entry waits longer than half the interval
plus one tick for its signature. ``audit verify`` with a key fails an unsigned entry older than the whole
interval; the margin keeps ``--strict`` passing on a healthy running system.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from monitor.audit.anchor import sync_anchors
from monitor.audit.keyring import KeyRing, load_keyring
from monitor.audit.signing import Checkpoint
from monitor.audit.store import checkpoint_if_due

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnchorSettings:
    interval: timedelta = timedelta(minutes=60)
    anchor_file: Path | None = None
    channel: str | None = None

    @classmethod
    def from_values(cls, *, interval_minutes: int, anchor_file: str, channel: str) -> AnchorSettings:
        return cls(
            interval=timedelta(minutes=interval_minutes),
            anchor_file=Path(anchor_file).expanduser() if anchor_file else None,
            channel=channel or None,
        )


def audit_tick(
    engine: Engine, settings: AnchorSettings, *, now: datetime, ring: KeyRing | None = None
) -> tuple[Checkpoint | None, list[Checkpoint]]:
    """(the checkpoint signed now or None, the checkpoints newly anchored). Nothing without a key."""
    ring = ring or load_keyring()
    if ring is None:
        return None, []
    signed = checkpoint_if_due(engine, now=now, max_age=settings.interval / 2, key=ring.current)
    if settings.anchor_file is None and settings.channel is None:
        return signed, []
    anchored = sync_anchors(engine, ring, anchor_file=settings.anchor_file, channel=settings.channel, now=now)
    if anchored:
        log.info("compliance log: %d checkpoint(s) anchored", len(anchored))
    return signed, anchored
