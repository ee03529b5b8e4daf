"""Record changes of configuration, rule packs and the sentiment model in the compliance log.

Operators change these by editing files, not through BrandGuard, so the daemon notices instead: at
start-up it fingerprints the three and compares them with the fingerprints it last recorded. Each
difference becomes one audit entry (``config.change``, ``rules.change``, ``model.change``) with the old
and new hashes, written in the same transaction as the new fingerprints so a crash cannot record a
change twice or lose it. The actor is the process that noticed; who edited the file is outside what
BrandGuard can know, and the entry says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection, Engine

from monitor.storage import daemon_state_repo

STATE_KEY = "audited_environment"
KINDS = {"config": "config.change", "rules": "rules.change", "model": "model.change"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(config_path: Path | None) -> dict[str, Any]:
    """Current hashes: the config file, every rule pack file (with its version), the model metadata."""
    from models.artifact import METADATA_FILE, SHIPPED_DIR
    from rules.rulepack import PACK_DIR

    config: dict[str, Any] = {"path": None, "sha256": None}
    if config_path is not None and config_path.is_file():
        config = {"path": str(config_path.resolve()), "sha256": _sha256(config_path)}
    # Industry packs live in a subfolder (rules/packs/industry/); a change there is a rule change too.
    packs = sorted(PACK_DIR.rglob("*.toml"))
    rules = {path.relative_to(PACK_DIR).as_posix(): _sha256(path) for path in packs}
    metadata = SHIPPED_DIR / METADATA_FILE
    model = {"metadata_sha256": _sha256(metadata) if metadata.is_file() else None}
    return {"config": config, "rules": rules, "model": model}


def record_changes(
    engine: Engine,
    *,
    actor: str,
    config_path: Path | None,
    now: datetime,
    current: Mapping[str, Any] | None = None,
) -> list[str]:
    """Append one audit entry per changed part; returns the kinds appended (empty when nothing changed)."""
    fingerprints = dict(current if current is not None else fingerprint(config_path))
    appended: list[str] = []
    with engine.begin() as conn:

        def compare(stored: Any | None) -> Any:
            # Called between the locked read of the stored fingerprints and their write.
            appended.extend(_append_changes(conn, stored, fingerprints, actor=actor, now=now))
            return fingerprints if appended or stored is None else stored

        daemon_state_repo.update_value(conn, STATE_KEY, compare, now=now)
    return appended


def _append_changes(
    conn: Connection, stored: Any | None, current: Mapping[str, Any], *, actor: str, now: datetime
) -> list[str]:
    from monitor.audit import append

    previous: Mapping[str, Any] = stored if isinstance(stored, dict) else {}
    appended: list[str] = []
    for part, kind in KINDS.items():
        before, after = previous.get(part), current.get(part)
        if before == after:
            continue
        append(
            conn,
            actor=actor,
            kind=kind,
            subject=part,
            data={
                "from": before,
                "to": after,
                "changed": _changed_keys(before, after),
                "detected": "fingerprint compared at daemon start; the editor of the file is not known",
            },
            now=now,
        )
        appended.append(kind)
    return appended


def _changed_keys(before: Any, after: Any) -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return []
