"""Audit log reads for the API and the page: filtered entries, chain verification, zipped export."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine


def entries(
    engine: Engine,
    *,
    since: datetime | None,
    until: datetime | None,
    actor: str | None,
    kind: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    from monitor.audit.query import list_entries

    return [
        e.to_record()
        for e in list_entries(
            engine, since=since, until=until, actor=actor or None, kind=kind or None, limit=limit
        )
    ]


def verification(
    engine: Engine, *, anchor_file: str = "", now: datetime | None = None, interval_minutes: int = 60
) -> dict[str, Any]:
    """What ``brandguard audit verify`` reports, against the configured anchor file too (issue 11)."""
    from datetime import timedelta

    from monitor.audit.keyring import load_keyring
    from monitor.audit.verify import verify_database

    anchors = [Path(anchor_file).expanduser()] if anchor_file else []
    report = verify_database(
        engine, load_keyring(), anchor_files=anchors, now=now, interval=timedelta(minutes=interval_minutes)
    )
    return {
        "ok": report.ok,
        "summary": report.summary(),
        "entries": report.entries,
        "first_seq": report.first_seq,
        "last_seq": report.last_seq,
        "checkpoints_verified": report.checkpoints_verified,
        "problem": report.problem,
        "warnings": list(report.warnings),
    }


def export_zip(
    engine: Engine, *, fmt: str, since: datetime | None, until: datetime | None, actor: str, now: datetime
) -> bytes:
    """The export file and its manifest, zipped: what ``brandguard audit export`` writes to disk."""
    from monitor.audit.export import export_log, manifest_path
    from monitor.audit.signing import load_key

    with tempfile.TemporaryDirectory(prefix="bg-audit-") as tmp:
        out = Path(tmp) / f"audit.{fmt}"
        export_log(engine, out, fmt=fmt, since=since, until=until, key=load_key(), actor=actor, now=now)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(out, out.name)
            archive.write(manifest_path(out), manifest_path(out).name)
    return buffer.getvalue()
