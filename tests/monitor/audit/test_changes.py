"""Config, rule-pack and model changes are noticed at daemon start and land in the compliance log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from monitor.audit.changes import fingerprint, record_changes
from monitor.audit.verify import verify_database
from monitor.storage.schema import audit_log

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _kinds(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(audit_log.c.kind).order_by(audit_log.c.seq)).scalars())


def test_first_start_records_everything_then_only_what_changed(engine: Engine, tmp_path: Path) -> None:
    config = tmp_path / "brandguard.toml"
    config.write_text("[storage]\n", encoding="utf-8")
    assert record_changes(engine, actor="daemon:a", config_path=config, now=NOW) == [
        "config.change",
        "rules.change",
        "model.change",
    ]
    # A restart with nothing edited records nothing.
    assert record_changes(engine, actor="daemon:a", config_path=config, now=NOW + timedelta(hours=1)) == []

    config.write_text('[storage]\nurl = ""\n', encoding="utf-8")
    assert record_changes(engine, actor="daemon:a", config_path=config, now=NOW + timedelta(hours=2)) == [
        "config.change"
    ]
    assert _kinds(engine) == ["config.change", "rules.change", "model.change", "config.change"]
    assert verify_database(engine, None).ok


def test_a_rule_pack_edit_names_the_changed_pack(engine: Engine, tmp_path: Path) -> None:
    current = fingerprint(None)
    record_changes(engine, actor="daemon:a", config_path=None, now=NOW, current=current)
    edited = {**current, "rules": {**current["rules"], "ad_law.toml": "0" * 64}}
    changed = record_changes(engine, actor="daemon:a", config_path=None, now=NOW, current=edited)
    assert changed == ["rules.change"]
    with engine.connect() as conn:
        data = conn.execute(select(audit_log.c.data).order_by(audit_log.c.seq.desc()).limit(1)).scalar_one()
    assert data["changed"] == ["ad_law.toml"]


def test_industry_packs_are_part_of_the_rules_fingerprint() -> None:
    """Switchable industry packs sit in rules/packs/industry/; editing one is a rule change too."""
    names = set(fingerprint(None)["rules"])
    assert "ad_law.toml" in names
    assert "industry/food.toml" in names
