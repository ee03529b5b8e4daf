from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from monitor import audit
from monitor.audit.errors import AuditError
from monitor.audit.purge import purge
from monitor.audit.retention import RetentionPolicy
from monitor.audit.signing import load_key
from monitor.audit.verify import verify_database
from monitor.storage.schema import audit_log
from tests.monitor.audit import tampering
from tests.monitor.audit.helpers import KEY, T0, seed

POLICY = RetentionPolicy(compliance_days=1095, other_days=183)
NOW = T0 + timedelta(days=400)


def _key() -> object:
    key = load_key()
    assert key is not None
    return key


def test_purge_removes_expired_prefix_and_the_rest_still_verifies(sqlite_engine: Engine) -> None:
    seed(sqlite_engine, 10, kind="daemon.tick", step=timedelta(days=1))
    seed(sqlite_engine, 5, kind="check", start=T0 + timedelta(days=20))
    seed(sqlite_engine, 5, kind="daemon.tick", start=T0 + timedelta(days=30))
    result = purge(sqlite_engine, before=NOW, now=NOW, policy=POLICY, key=load_key(), actor="admin")  # type: ignore[arg-type]
    assert (result.cut.seq, result.cut.count) == (10, 10)
    assert result.cut.blocked_by is not None and result.cut.blocked_by[:2] == (11, "check")
    report = verify_database(sqlite_engine, load_key())
    assert report.ok, report.summary()
    assert (report.entries, report.first_seq, report.last_seq, report.base_seq) == (11, 11, 21, 10)
    # appends continue the chain from the cut; a second purge finds nothing more to take
    with sqlite_engine.begin() as conn:
        audit.append(conn, actor="ops", kind="daemon.tick", subject="", data={}, now=NOW)
    assert verify_database(sqlite_engine, load_key()).ok
    again = purge(sqlite_engine, before=NOW, now=NOW, policy=POLICY, key=load_key(), actor="admin")  # type: ignore[arg-type]
    assert again.cut.count == 0


def test_purge_everything_then_append(sqlite_engine: Engine) -> None:
    seed(sqlite_engine, 3, kind="daemon.tick")
    purge(
        sqlite_engine,
        before=NOW,
        now=NOW + timedelta(days=3000),
        policy=POLICY,
        key=load_key(),  # type: ignore[arg-type]
        actor="admin",
    )
    with sqlite_engine.connect() as conn:
        # only the audit.purge record remains, chained on from the cut
        assert conn.execute(select(func.min(audit_log.c.seq), func.count())).one() == (4, 1)
    assert verify_database(sqlite_engine, load_key()).ok


def test_dry_run_deletes_nothing(sqlite_engine: Engine) -> None:
    seed(sqlite_engine, 3, kind="daemon.tick")
    result = purge(sqlite_engine, before=NOW, now=NOW, policy=POLICY, key=KEY, actor="a", dry_run=True)
    assert result.cut.count == 3
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == 3


def test_purge_refuses_a_broken_range(sqlite_engine: Engine) -> None:
    seed(sqlite_engine, 5, kind="daemon.tick")
    tampering.change_field(sqlite_engine, 2)
    with pytest.raises(AuditError, match=r"refusing to purge.*seq 2"):
        purge(sqlite_engine, before=NOW, now=NOW, policy=POLICY, key=KEY, actor="a")


def test_deleting_the_purge_checkpoint_is_detected(sqlite_engine: Engine) -> None:
    seed(sqlite_engine, 5, kind="daemon.tick")
    purge(sqlite_engine, before=NOW, now=NOW, policy=POLICY, key=load_key(), actor="a")  # type: ignore[arg-type]
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_checkpoints WHERE kind = 'purge'")
    assert "seq 1..5 missing" in verify_database(sqlite_engine, load_key()).summary()


def test_real_purge_without_key_is_refused(sqlite_engine: Engine) -> None:
    from monitor.audit.errors import AuditKeyMissing

    seed(sqlite_engine, 3, kind="daemon.tick")
    with pytest.raises(AuditKeyMissing, match="signed checkpoint"):
        purge(sqlite_engine, before=NOW, now=NOW, policy=POLICY, key=None, actor="a")
