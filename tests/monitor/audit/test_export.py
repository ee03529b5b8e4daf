"""Export + offline verification, including exports edited after the fact."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from monitor.audit import store
from monitor.audit.canonical import canonical_json, entry_hash
from monitor.audit.errors import ExportFileError
from monitor.audit.export import export_log, manifest_path, verify_export
from monitor.audit.signing import load_key
from tests.monitor.audit.helpers import OTHER_KEY, T0, seed


@pytest.fixture
def seeded(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(store, "CHECKPOINT_EVERY", 10)
    seed(sqlite_engine, 30, step=timedelta(hours=1))
    return sqlite_engine


def _export(engine: Engine, path: Path, fmt: str = "jsonl", **kw: object) -> dict:
    return export_log(
        engine,
        path,
        fmt=fmt,
        since=kw.get("since"),
        until=kw.get("until"),  # type: ignore[arg-type]
        key=load_key(),
        actor="auditor",
        now=T0 + timedelta(days=5),
    )


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_full_and_mid_log_exports_verify_offline(seeded: Engine, tmp_path: Path, fmt: str) -> None:
    whole = _export(seeded, tmp_path / f"all.{fmt}", fmt)
    assert (whole["count"], whole["first_seq"], whole["last_seq"]) == (30, 1, 30)
    report = verify_export(tmp_path / f"all.{fmt}", load_key())
    assert report.ok and report.checkpoints_verified == 3, report.summary()
    part = _export(
        seeded, tmp_path / f"part.{fmt}", fmt, since=T0 + timedelta(hours=12), until=T0 + timedelta(hours=25)
    )
    assert (part["count"], part["first_seq"], part["last_seq"]) == (13, 13, 25)
    report = verify_export(tmp_path / f"part.{fmt}", load_key())
    assert report.ok and report.checkpoints_verified == 1, report.summary()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(canonical_json(r) + "\n" for r in records), encoding="utf-8")


def _rehash(records: list[dict]) -> None:
    prev = records[0]["prev_hash"]
    for r in records:
        r["prev_hash"] = prev
        r["entry_hash"] = entry_hash(
            seq=r["seq"],
            ts=r["ts"],
            actor=r["actor"],
            kind=r["kind"],
            subject=r["subject"],
            data_text=canonical_json(r["data"]),
            prev_hash=prev,
        )
        prev = r["entry_hash"]


def test_edited_export_is_located(seeded: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    _export(seeded, path)
    records = _lines(path)
    records[4]["data"]["i"] = 999
    _write(path, records)
    assert (
        verify_export(path, load_key()).summary()
        == "FAIL: entry #5 (seq 5): entry_hash mismatch (field changed)"
    )


def test_edited_export_with_recomputed_chain_is_caught_by_checkpoints(seeded: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    _export(seeded, path)
    records = _lines(path)
    records[4]["actor"] = "someone-else"
    _rehash(records)
    _write(path, records)
    summary = verify_export(path, load_key()).summary()
    assert summary.startswith("FAIL: entry #10 (seq 10): hash differs from signed periodic checkpoint"), (
        summary
    )


def test_dropped_last_line_is_caught_by_the_manifest(seeded: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    _export(seeded, path)
    _write(path, _lines(path)[:-1])
    assert "the manifest says 30 ending at seq 30" in verify_export(path, load_key()).summary()


def test_edited_manifest_is_caught_by_its_signature(seeded: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    _export(seeded, path)
    manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    manifest["count"] = 29
    manifest_path(path).write_text(json.dumps(manifest), encoding="utf-8")
    assert verify_export(path, load_key()).summary() == (
        "FAIL: manifest: signature invalid (manifest edited after export)"
    )
    assert "not the configured key" not in verify_export(path, OTHER_KEY).summary()
    assert not verify_export(path, OTHER_KEY).ok


def test_broken_line_and_missing_manifest(seeded: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    _export(seeded, path)
    path.write_text(path.read_text(encoding="utf-8").replace("}\n", "\n", 1), encoding="utf-8")
    assert verify_export(path, load_key()).summary() == "FAIL: line 1: not valid JSON"
    with pytest.raises(ExportFileError, match="manifest"):
        verify_export(tmp_path / "missing.jsonl", load_key())
