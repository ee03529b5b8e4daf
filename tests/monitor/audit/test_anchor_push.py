"""Each signed checkpoint is pushed once to the auditors' channel through the outbox (issue 11)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from monitor.audit import store
from monitor.audit.anchor import ANCHOR_KIND, sync_anchors
from monitor.audit.keyring import load_keyring
from monitor.config import Config
from monitor.config.fields import ConfigKeyError
from monitor.storage.schema import outbox
from tests.monitor.audit.helpers import T0, seed


def test_checkpoints_are_queued_once_for_the_channel(sqlite_engine: Engine) -> None:
    ring = load_keyring()
    assert ring is not None
    seed(sqlite_engine, 3)
    with sqlite_engine.begin() as conn:
        checkpoint = store.checkpoint_head(conn, ring.current, now=T0 + timedelta(minutes=5))
    assert checkpoint is not None
    pushed = sync_anchors(sqlite_engine, ring, anchor_file=None, channel="auditors", now=T0)
    assert [c.seq for c in pushed] == [3]
    sync_anchors(sqlite_engine, ring, anchor_file=None, channel="auditors", now=T0)  # idempotent
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(outbox.c.channel, outbox.c.kind, outbox.c.payload)).all()
    assert len(rows) == 1
    channel, kind, payload = rows[0]
    assert (channel, kind) == ("auditors", ANCHOR_KIND)
    record = json.loads(payload["text"].split("\n", 1)[1])
    assert record["signature"] == checkpoint.signature and record["seq"] == 3


def test_anchor_channel_must_exist() -> None:
    expected = r"audit\.anchor_channel: channel 'nobody' is not in \[\[channels\]\]"
    with pytest.raises(ConfigKeyError, match=expected):
        Config.model_validate({"audit": {"anchor_channel": "nobody"}})
