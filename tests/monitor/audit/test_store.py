from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, exc, select

from monitor import audit
from monitor.audit import store
from monitor.audit.canonical import GENESIS_HASH
from monitor.audit.record import check_data
from monitor.audit.signing import KEY_ENV, load_key
from monitor.audit.verify import verify_database
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


# --- prepare / append_prepared: many entries, one transaction ----------------------------------------


def _prepared(count: int, *, start: int = 0) -> list[store.PreparedEntry]:
    return [
        store.prepare(
            actor="web",
            kind="check",
            subject=f"draft {i}",
            data={"i": i, "备注": "批量"},
            now=T0 + timedelta(seconds=i),
        )
        for i in range(start, start + count)
    ]


def _stored(engine: Engine) -> list[tuple[int, str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                audit_log.c.seq, audit_log.c.subject, audit_log.c.prev_hash, audit_log.c.entry_hash
            ).order_by(audit_log.c.seq)
        ).all()
    return [(row.seq, row.subject, row.prev_hash, row.entry_hash) for row in rows]


def test_prepare_is_pure_and_validates(sqlite_engine: Engine) -> None:
    entry = store.prepare(actor="a", kind="k", subject="s", data={"b": 1, "a": ("x",)}, now=T0)
    assert entry.data_text == '{"a":["x"],"b":1}' and entry.data == {"a": ["x"], "b": 1}
    assert entry.ts == T0 and entry.ts.tzinfo is not None
    with pytest.raises(ValueError, match="kind"):
        store.prepare(actor="a", kind="", subject="s", data={}, now=T0)
    with pytest.raises(ValueError):
        store.prepare(actor="a", kind="k", subject="s", data={"x": float("nan")}, now=T0)
    with pytest.raises(TypeError):
        store.prepare(actor="a", kind="k", subject="s", data={"x": object()}, now=T0)
    with pytest.raises(ValueError, match="naive"):
        store.prepare(actor="a", kind="k", subject="s", data={}, now=T0.replace(tzinfo=None))
    assert _stored(sqlite_engine) == []


def test_append_prepared_chains_a_batch_after_the_existing_head(engine: Engine) -> None:
    with engine.begin() as conn:
        first = audit.append(conn, actor="ops", kind="daemon.start", subject="", data={}, now=T0)
    with engine.begin() as conn:
        entries = store.append_prepared(conn, _prepared(6))
    assert [e.seq for e in entries] == [2, 3, 4, 5, 6, 7]
    assert [e.subject for e in entries] == [f"draft {i}" for i in range(6)]
    hashes = [first.entry_hash] + [e.entry_hash for e in entries]
    assert [e.prev_hash for e in entries] == hashes[:-1]
    assert len(set(hashes)) == 7
    assert all(e.computed_hash() == e.entry_hash for e in entries)
    # what came back is what was stored
    assert _stored(engine) == [(first.seq, "", GENESIS_HASH, first.entry_hash)] + [
        (e.seq, e.subject, e.prev_hash, e.entry_hash) for e in entries
    ]
    with engine.connect() as conn:
        data = conn.execute(select(audit_log.c.data).order_by(audit_log.c.seq)).scalars().all()
    assert data[1:] == [e.data for e in entries]
    report = verify_database(engine, load_key())
    assert report.ok, report.summary()
    assert (report.entries, report.first_seq, report.last_seq) == (7, 1, 7)


def test_append_prepared_on_an_empty_log_starts_at_genesis(engine: Engine) -> None:
    with engine.begin() as conn:
        assert store.append_prepared(conn, []) == []
        entries = store.append_prepared(conn, _prepared(3))
        more = store.append_prepared(conn, _prepared(2, start=3))  # a second batch, same transaction
    assert [e.seq for e in entries + more] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH and more[0].prev_hash == entries[-1].entry_hash
    assert verify_database(engine, load_key()).ok


def test_append_prepared_core_path_on_sqlite_matches_the_fast_path(sqlite_engine: Engine) -> None:
    from monitor.storage import audit_repo as sqlite_path

    with sqlite_engine.connect() as conn:
        assert sqlite_path.driver_connection(conn) is None  # no transaction yet: Core multi-row insert
        core = store.append_prepared(conn, _prepared(3))
        conn.commit()
    with sqlite_engine.begin() as conn:
        fast = store.append_prepared(conn, _prepared(3, start=3))
    assert [e.seq for e in core + fast] == list(range(1, 7))
    assert _stored(sqlite_engine) == [(e.seq, e.subject, e.prev_hash, e.entry_hash) for e in core + fast]
    with sqlite_engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT ts, data FROM audit_log ORDER BY seq").all()
    assert raw[0] == ("2026-11-01 08:00:00.000000", '{"i":0,"备注":"批量"}')
    assert raw[3] == ("2026-11-01 08:00:03.000000", '{"i":3,"备注":"批量"}')
    assert verify_database(sqlite_engine, load_key()).ok


def test_append_prepared_rolls_back_with_the_callers_transaction(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(daemon_state.insert().values(key="k", value={}, updated_at=T0))
        assert len(store.append_prepared(conn, _prepared(5))) == 5
        raise RuntimeError("the change failed")
    with engine.connect() as conn:
        assert conn.execute(select(audit_log)).all() == []
        assert conn.execute(select(daemon_state)).all() == []
        assert conn.execute(select(audit_checkpoints)).all() == []
    # and the chain starts from genesis afterwards, not from a rolled-back head
    with engine.begin() as conn:
        (entry,) = store.append_prepared(conn, _prepared(1))
    assert (entry.seq, entry.prev_hash) == (1, GENESIS_HASH)


def test_a_batch_crossing_checkpoint_multiples_signs_each_multiple(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "CHECKPOINT_EVERY", 4)
    with engine.begin() as conn:
        for i in range(3):
            audit.append(conn, actor="ops", kind="notify.sent", subject=str(i), data={}, now=T0)
    with engine.begin() as conn:
        entries = store.append_prepared(conn, _prepared(6))  # seq 4..9: crosses 4 and 8 mid-batch
    by_seq = {e.seq: e for e in entries}
    with engine.connect() as conn:
        checkpoints = conn.execute(
            select(
                audit_checkpoints.c.seq,
                audit_checkpoints.c.count,
                audit_checkpoints.c.entry_hash,
                audit_checkpoints.c.kind,
            ).order_by(audit_checkpoints.c.id)
        ).all()
    assert [tuple(c) for c in checkpoints] == [
        (4, 4, by_seq[4].entry_hash, "periodic"),
        (8, 8, by_seq[8].entry_hash, "periodic"),
    ]
    report = verify_database(engine, load_key())
    assert report.ok, report.summary()
    assert report.checkpoints_verified == 2


def test_a_batch_without_a_key_writes_no_checkpoint(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "CHECKPOINT_EVERY", 2)
    monkeypatch.delenv(KEY_ENV)
    with engine.begin() as conn:
        store.append_prepared(conn, _prepared(5))
    with engine.connect() as conn:
        assert conn.execute(select(audit_checkpoints)).all() == []


def test_check_data_is_pure_and_is_what_record_check_stores(sqlite_engine: Engine) -> None:
    finding = {
        "rule_id": "pii.mobile",
        "category": "pii",
        "severity": "warning",
        "start": 0,
        "end": 11,
        "text": "13812345678",
    }
    data = check_data(path="a.md", text_sha256="ab" * 32, rule_versions={"pii": "1"}, findings=[finding])
    assert _stored(sqlite_engine) == []
    assert data == {
        "path": "a.md",
        "text_sha256": "ab" * 32,
        "rule_versions": {"pii": "1"},
        "findings": [
            {
                "rule_id": "pii.mobile",
                "category": "pii",
                "severity": "warning",
                "span": [0, 11],
                "waived": False,
                "masked": "***********",
            }
        ],
        "summary": {"error": 0, "warning": 1, "info": 0, "waived": 0},
    }
    entry = audit.record_check(
        sqlite_engine,
        actor="copy",
        path="a.md",
        text_sha256="ab" * 32,
        rule_versions={"pii": "1"},
        findings=[finding],
        now=T0,
    )
    assert entry.data == data
