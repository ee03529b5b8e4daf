"""Export a range of the log (JSONL or CSV) with a manifest, and verify such an export offline.

The manifest carries what an auditor needs without our database: count, first/last seq and hash, the
``prev_hash`` of the first exported entry (so a mid-log range verifies), the signed checkpoints that
fall inside the range, the SHA-256 of the file, and an HMAC over the manifest itself when a key is set.
Exported ranges are contiguous in seq: from the first entry at/after ``--from`` to the last before
``--to``; an entry with an out-of-order timestamp inside that range is included rather than leaving a gap.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from monitor.audit.canonical import canonical_json, format_ts, parse_ts
from monitor.audit.chain import Row, verify_rows
from monitor.audit.errors import ExportFileError
from monitor.audit.signing import AuditKey, Checkpoint, sign_text, signature_problem
from monitor.audit.store import iter_rows, load_checkpoints
from monitor.audit.verify import NO_KEY_WARNING, VerifyReport
from monitor.storage import audit_repo
from monitor.storage.files import open_private_write
from monitor.storage.transactions import read_transaction

FORMATS = ("jsonl", "csv")
FIELDS = ("seq", "ts", "actor", "kind", "subject", "data", "prev_hash", "entry_hash")
MANIFEST_SUFFIX = ".manifest.json"


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def _jsonl_line(row: Row) -> str:
    seq, ts, actor, kind, subject, data_text, prev_hash, digest = row
    record = {
        "seq": seq,
        "ts": ts,
        "actor": actor,
        "kind": kind,
        "subject": subject,
        "data": json.loads(data_text),
        "prev_hash": prev_hash,
        "entry_hash": digest,
    }
    return canonical_json(record) + "\n"


def export_log(
    engine: Engine,
    out: Path,
    *,
    fmt: str,
    since: datetime | None,
    until: datetime | None,
    key: AuditKey | None,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Write ``out`` and ``out.manifest.json``; return the manifest."""
    if fmt not in FORMATS:
        raise ExportFileError(f"unknown export format {fmt!r} (use {' or '.join(FORMATS)})")
    digest = hashlib.sha256()
    count, first, last = 0, None, None
    with read_transaction(engine) as conn:
        bounds = audit_repo.seq_range(conn, since=since, until=until)
        checkpoints = load_checkpoints(conn)
        try:
            # 0600 whatever the umask: entries name actors and hold masked personal information
            handle = os.fdopen(open_private_write(out), "w", encoding="utf-8", newline="")
        except OSError as error:
            raise ExportFileError(f"cannot write {out}: {error.strerror}") from error
        with handle:
            writer = None
            if fmt == "csv":
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                writer.writerow(FIELDS)
                _flush(buffer, handle, digest)
            if bounds is not None:
                for row in iter_rows(conn, after_seq=bounds[0] - 1, until_seq=bounds[1]):
                    if writer is None:
                        line = _jsonl_line(row)
                        handle.write(line)
                        digest.update(line.encode("utf-8"))
                    else:
                        writer.writerow(row)
                        _flush(buffer, handle, digest)
                    first = first or row
                    last = row
                    count += 1
    manifest: dict[str, Any] = {
        "version": 1,
        "format": fmt,
        "file": out.name,
        "file_sha256": digest.hexdigest(),
        "count": count,
        "from": None if since is None else format_ts(since),
        "to": None if until is None else format_ts(until),
        "first_seq": first[0] if first else None,
        "last_seq": last[0] if last else None,
        "first_prev_hash": first[6] if first else None,
        "first_hash": first[7] if first else None,
        "last_hash": last[7] if last else None,
        "checkpoints": [
            c.to_record()
            for c in checkpoints
            if first and last and (first[0] <= c.seq <= last[0] or c.seq == first[0] - 1)
        ],
        "exported_at": format_ts(now),
        "exported_by": actor,
        "key_id": key.key_id if key else None,
    }
    if key is not None:
        manifest["manifest_signature"] = sign_text(key, canonical_json(manifest))
    with os.fdopen(open_private_write(manifest_path(out)), "w", encoding="utf-8") as manifest_file:
        manifest_file.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def _flush(buffer: io.StringIO, handle: Any, digest: Any) -> None:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    handle.write(text)
    digest.update(text.encode("utf-8"))


# --- offline verification --------------------------------------------------------------------------


class _BadLine(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")


def _read_rows(path: Path, fmt: str) -> Iterator[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or tuple(header) != FIELDS:
                raise _BadLine(1, f"CSV header must be {','.join(FIELDS)}")
            for number, fields in enumerate(reader, 2):
                yield _row(number, dict(zip(FIELDS, fields, strict=False)), data_is_text=True)
        else:
            for number, line in enumerate(handle, 1):
                try:
                    record = json.loads(line)
                except ValueError:
                    raise _BadLine(number, "not valid JSON") from None
                if not isinstance(record, dict):
                    raise _BadLine(number, "not a JSON object")
                yield _row(number, record, data_is_text=False)


def _row(number: int, record: dict[str, Any], *, data_is_text: bool) -> Row:
    try:
        data = json.loads(record["data"]) if data_is_text else record["data"]
        return (
            int(record["seq"]),
            str(record["ts"]),
            str(record["actor"]),
            str(record["kind"]),
            str(record["subject"]),
            canonical_json(data),
            str(record["prev_hash"]),
            str(record["entry_hash"]),
        )
    except (KeyError, ValueError, TypeError) as error:
        raise _BadLine(number, f"malformed entry ({error})") from None


def verify_export(path: Path, key: AuditKey | None) -> VerifyReport:
    """Recompute everything from the file and its manifest; no database needed."""
    mpath = manifest_path(path)
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportFileError(f"manifest {mpath} not found (it is written next to the export)") from None
    except (OSError, ValueError) as error:
        raise ExportFileError(f"cannot read manifest {mpath}: {error}") from None
    if not path.is_file():
        raise ExportFileError(f"export file {path} not found")
    report = VerifyReport()
    if key is None:
        report.warnings.append(NO_KEY_WARNING)
    checkpoints = [Checkpoint(**{**c, "ts": parse_ts(c["ts"])}) for c in manifest.get("checkpoints", [])]
    report.checkpoints_total = len(checkpoints)
    if key is not None:
        problem = _manifest_signature_problem(manifest, key)
        if problem is None:
            problem = next(
                (
                    f"checkpoint #{c.id} (seq {c.seq}): {p}"
                    for c in checkpoints
                    if (p := signature_problem(c, key)) is not None
                ),
                None,
            )
        if problem is not None:
            report.problem = f"manifest: {problem}"
            return report
    first_seq = manifest.get("first_seq")
    anchors: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        anchors.setdefault(checkpoint.seq, []).append(checkpoint)
    start_prev = manifest.get("first_prev_hash")
    before_first = [c for c in anchors.get((first_seq or 0) - 1, []) if c.entry_hash != start_prev]
    if before_first:
        report.problem = "manifest: first_prev_hash differs from the signed checkpoint just before the range"
        return report
    try:
        chain = verify_rows(
            _read_rows(path, manifest.get("format", "jsonl")),
            prev_hash=str(start_prev or ""),
            first_seq=int(first_seq or 1),
            anchors=anchors,
        )
    except _BadLine as error:
        report.problem = str(error)
        return report
    except (OSError, UnicodeDecodeError) as error:
        raise ExportFileError(f"cannot read {path}: {error}") from None
    report.entries, report.first_seq, report.last_seq = chain.count, chain.first_seq, chain.last_seq
    if chain.problem is not None:
        report.problem = chain.problem.describe()
        return report
    expected = (manifest.get("count"), manifest.get("last_seq"), manifest.get("last_hash"))
    actual = (chain.count, chain.last_seq, chain.last_hash if chain.count else None)
    if expected != actual:
        report.problem = (
            f"export has {chain.count} entries ending at seq {chain.last_seq}, the manifest says "
            f"{expected[0]} ending at seq {expected[1]} (entries removed or added)"
        )
        return report
    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    if not hmac.compare_digest(file_hash, str(manifest.get("file_sha256", ""))):
        report.problem = "file SHA-256 differs from the manifest (file edited after export)"
        return report
    report.checkpoints_verified = chain.anchors_matched if key is not None else 0
    return report


def _manifest_signature_problem(manifest: dict[str, Any], key: AuditKey) -> str | None:
    signature = manifest.get("manifest_signature")
    if signature is None:
        return "not signed (exported without BRANDGUARD_AUDIT_KEY)"
    if manifest.get("key_id") != key.key_id:
        return f"signed with key {manifest.get('key_id')!r}, not the configured key {key.key_id!r}"
    body = {k: v for k, v in manifest.items() if k != "manifest_signature"}
    if not hmac.compare_digest(sign_text(key, canonical_json(body)), str(signature)):
        return "signature invalid (manifest edited after export)"
    return None
