"""kill -9 of the delivering daemon between claim and send: the message still arrives, exactly recognisably.

Two crash points: before the request leaves (the notifier blocks right after the claim committed) and
while the receiver holds the request (it got a copy, the sender never saw the answer). After the lease,
a fresh process delivers; every copy the receiver sees carries the same idempotency key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor import incidents
from monitor.incidents.outbox import LEASE, deliver_due
from monitor.storage.schema import outbox
from tests.integration import fake_bots as fb
from tests.monitor.incidents.helpers import T0, add_mention, make_config

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import sys, time
from datetime import datetime
from monitor.storage.engine import open_database
from monitor.incidents.outbox import deliver_due
from tests.monitor.incidents.helpers import make_config

url, hook, now, mode, marker = sys.argv[1:6]
cfg = make_config(channels=[{"name": "hook", "kind": "webhook", "url": hook, "secret_env": "HOOK_SECRET"}],
                  routes=[{"channels": ["hook"]}], environ={"HOOK_SECRET": "x"})

class Stuck:
    kind = "webhook"
    def send(self, message, *, idempotency_key, now):
        open(marker, "w").write(idempotency_key)
        time.sleep(60)
    def close(self):
        pass

notifiers = {"hook": Stuck()} if mode == "before_send" else None
deliver_due(open_database(url), cfg, datetime.fromisoformat(now), notifiers=notifiers)
"""


def _config(hook: str) -> object:
    return make_config(
        channels=[{"name": "hook", "kind": "webhook", "url": hook, "secret_env": "HOOK_SECRET"}],
        routes=[{"channels": ["hook"]}],
        environ={"HOOK_SECRET": "x"},
    )


def _wait(predicate: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.02)


@pytest.mark.parametrize("mode", ["before_send", "during_send"])
def test_kill_9_between_claim_and_send(tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.storage.engine import open_database

    monkeypatch.setenv("HOOK_SECRET", fb.WEBHOOK_SECRET)
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    engine = open_database(url)
    state = fb.BotState(hang_first_webhook=(mode == "during_send"))
    with fb.fake_bots(state) as (base, _):
        hook = f"{base}/webhook"
        cfg = _config(hook)
        add_mention(engine)
        incidents.process_pending_mentions(engine, cfg, T0)  # type: ignore[arg-type]
        marker = tmp_path / "marker"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOOK_SECRET": fb.WEBHOOK_SECRET}
        now = datetime.now(UTC)
        proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, url, hook, now.isoformat(), mode, str(marker)], cwd=ROOT, env=env
        )
        try:
            if mode == "before_send":
                _wait(marker.exists)
            else:
                _wait(lambda: len(state.received) == 1)
            with engine.connect() as conn:
                row = conn.execute(select(outbox)).mappings().one()
            assert row["claimed_by"] is not None and row["status"] == "pending"  # claimed, not sent
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        # Still inside the lease: another daemon must not send it yet.
        assert deliver_due(engine, cfg, now + timedelta(seconds=30)) == 0  # type: ignore[arg-type]
        assert deliver_due(engine, cfg, now + LEASE + timedelta(seconds=1)) == 1  # type: ignore[arg-type]
        assert deliver_due(engine, cfg, now + LEASE + timedelta(minutes=5)) == 0  # type: ignore[arg-type]
    with engine.connect() as conn:
        row = conn.execute(select(outbox)).mappings().one()
    engine.dispose()
    assert row["status"] == "sent"
    assert len(state.accepted) == 1
    keys = {r["idempotency_key"] for r in state.received}
    assert keys == {row["idempotency_key"]}  # any second copy carries the same key
    assert len(state.received) == (1 if mode == "before_send" else 2)
