from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, exc, select

from monitor import audit
from monitor.audit import store
from monitor.audit.canonical import GENESIS_HASH
from monitor.storage.schema import audit_checkpoints, audit_log, daemon_state
from tests.monitor.audit.helpers import T0


def test_append_chains_entries(sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        first = audit.append(
            conn,
            actor="李四",
            kind="config.change",
            subject="brandguard.toml",
            data={"sha256": "ab" * 32},
            now=T0,
        )
        second = audit.append(
            conn,
            actor="李四",
            kind="users.add",
            subject="wang",
            data={"role": "pr"},
            now=T0 + timedelta(seconds=1),
        )
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.entry_hash)
    assert second.computed_hash() == second.entry_hash


def test_entry_rolls_back_with_the_change_it_records(sqlite_engine: Engine) -> None:
    with pytest.raises(RuntimeError), sqlite_engine.begin() as conn:
        conn.execute(daemon_state.insert().values(key="k", value={}, updated_at=T0))
        audit.append(conn, actor="ops", kind="config.change", subject="k", data={}, now=T0)
        raise RuntimeError("the change failed")
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(audit_log)).all() == []
        assert conn.execute(select(daemon_state)).all() == []


def test_a_second_writer_on_the_same_head_fails_instead_of_forking(sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        entry = audit.append(conn, actor="ops", kind="daemon.start", subject="", data={}, now=T0)
    with pytest.raises(exc.IntegrityError), sqlite_engine.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                seq=entry.seq,
                ts=T0,
                actor="x",
                kind="k",
                subject="",
                data={},
                prev_hash=GENESIS_HASH,
                entry_hash="f" * 64,
            )
        )
    with pytest.raises(exc.IntegrityError), sqlite_engine.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                seq=2,
                ts=T0,
                actor="x",
                kind="k",
                subject="",
                data={},
                prev_hash=GENESIS_HASH,
                entry_hash=entry.entry_hash,
            )
        )


def test_periodic_checkpoint_is_written_in_the_same_transaction(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "CHECKPOINT_EVERY", 3)
    with sqlite_engine.begin() as conn:
        for i in range(7):
            audit.append(conn, actor="ops", kind="notify.sent", subject=str(i), data={}, now=T0)
    with sqlite_engine.connect() as conn:
        seqs = conn.execute(select(audit_checkpoints.c.seq, audit_checkpoints.c.count)).all()
    assert seqs == [(3, 3), (6, 6)]


def test_naive_now_is_rejected(sqlite_engine: Engine) -> None:
    with pytest.raises(ValueError, match="naive"), sqlite_engine.begin() as conn:
        audit.append(conn, actor="ops", kind="x", subject="", data={}, now=T0.replace(tzinfo=None))


def test_record_check_stores_hash_and_masked_findings_only(sqlite_engine: Engine) -> None:
    draft = "全网最佳！联系 13812345678"
    findings = [
        {
            "rule_id": "ad_law.superlative",
            "category": "ad_law",
            "severity": "error",
            "start": 2,
            "end": 4,
            "line": 1,
            "column": 3,
            "text": "最佳",
            "message": "绝对化用语",
            "law": "广告法",
            "article": "第九条",
            "suggestions": ["领先"],
            "waived": True,
            "waiver_reason": "奖项原文",
        },
        {
            "rule_id": "pii.mobile",
            "category": "pii",
            "severity": "error",
            "start": 9,
            "end": 20,
            "line": 1,
            "column": 10,
            "text": "13812345678",
            "message": "手机号",
            "law": "个人信息保护法",
            "article": "第28条",
            "suggestions": [],
        },
    ]
    entry = audit.record_check(
        sqlite_engine,
        actor="copy",
        path="drafts/618.md",
        text_sha256="cd" * 32,
        rule_versions={"ad_law": "2026.11"},
        findings=findings,
        now=T0,
    )
    with sqlite_engine.connect() as conn:
        stored = conn.execute(select(audit_log.c.data, audit_log.c.kind)).one()
    assert stored.kind == "check" and stored.data == entry.data
    text = str(stored.data)
    assert "13812345678" not in text and draft not in text and "5678" not in text
    assert stored.data["summary"] == {"error": 1, "warning": 0, "info": 0, "waived": 1}
    assert stored.data["findings"][0]["reason"] == "奖项原文"
    assert stored.data["rule_versions"] == {"ad_law": "2026.11"}


def test_checkpoint_if_due_bounds_the_uncovered_tail(sqlite_engine: Engine) -> None:
    assert store.checkpoint_if_due(sqlite_engine, now=T0) is None  # empty log
    with sqlite_engine.begin() as conn:
        audit.append(conn, actor="ops", kind="daemon.start", subject="", data={}, now=T0)
    first = store.checkpoint_if_due(sqlite_engine, now=T0)
    assert first is not None and first.seq == 1
    with sqlite_engine.begin() as conn:
        audit.append(conn, actor="ops", kind="daemon.tick", subject="", data={}, now=T0)
    assert store.checkpoint_if_due(sqlite_engine, now=T0 + timedelta(minutes=30)) is None  # too soon
    second = store.checkpoint_if_due(sqlite_engine, now=T0 + timedelta(minutes=61))
    assert second is not None and second.seq == 2
    assert store.checkpoint_if_due(sqlite_engine, now=T0 + timedelta(hours=5)) is None  # nothing new
