"""Anchors: signed checkpoints copied where the database writer cannot rewrite them unnoticed.

Whoever can write the database can delete checkpoints together with the entries they cover, so every
signed checkpoint is also appended to an anchor file outside the data directory (``[audit]
anchor_file``), one JSON line each, and optionally pushed to an auditors' channel through the outbox
(``[audit] anchor_channel``). ``brandguard audit verify`` reads every anchor it can see and requires the
database to agree with each one.

A line is ``{"v": 1, "n": <line number>, "prev": <sha256 of the previous line>, "checkpoint": {...}}``:
``checkpoint`` is the signed record (``Checkpoint.to_record``) and ``prev`` chains the lines, so a line
edited or removed in the middle of the file is located too. The file is opened ``O_APPEND`` and created
0600 in a 0700 directory; operators may make it append-only at the OS level (``chattr +a``) or ship it
elsewhere — any copy of it verifies with ``audit verify --anchor FILE``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from monitor.audit.canonical import canonical_json, format_ts
from monitor.audit.keyring import KeyRing
from monitor.audit.signing import Checkpoint
from monitor.audit.store import load_checkpoints
from monitor.storage import outbox_repo
from monitor.storage.files import ensure_private_dir, open_private_append
from monitor.storage.times import as_utc_required

ANCHOR_VERSION = 1
FIRST_PREV = "0" * 64
ANCHOR_KIND = "audit_anchor"  # outbox kind of a pushed checkpoint


@dataclass(frozen=True, slots=True)
class AnchoredCheckpoint:
    checkpoint: Checkpoint
    label: str  # "anchor file <path> line <n>"


@dataclass(slots=True)
class AnchorFile:
    path: Path
    anchors: list[AnchoredCheckpoint] = field(default_factory=list)
    last_line_hash: str = FIRST_PREV
    problem: str | None = None

    @property
    def signatures(self) -> set[str]:
        return {a.checkpoint.signature for a in self.anchors}


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def _checkpoint_from_record(record: dict[str, Any]) -> Checkpoint:
    return Checkpoint(
        kind=str(record["kind"]),
        seq=int(record["seq"]),
        entry_hash=str(record["entry_hash"]),
        count=int(record["count"]),
        ts=as_utc_required(datetime.fromisoformat(str(record["ts"]))),
        key_id=str(record["key_id"]),
        algorithm=str(record["algorithm"]),
        signature=str(record["signature"]),
        id=record.get("id"),
    )


def read_anchor_file(path: Path) -> AnchorFile:
    """Parse and check the line chain; ``problem`` names the first bad line. A missing file is a problem
    for the caller to judge (``exists()``), not an exception."""
    result = AnchorFile(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        result.problem = f"anchor file {path} is missing"
        return result
    except (OSError, UnicodeDecodeError) as error:
        result.problem = f"anchor file {path} cannot be read: {error}"
        return result
    prev = FIRST_PREV
    for number, line in enumerate(text.splitlines(), 1):
        where = f"anchor file {path} line {number}"
        try:
            obj = json.loads(line)
            checkpoint = _checkpoint_from_record(obj["checkpoint"])
            n, line_prev = int(obj["n"]), str(obj["prev"])
        except (ValueError, KeyError, TypeError) as error:
            result.problem = f"{where}: not an anchor line ({error})"
            return result
        if n != number:
            result.problem = f"{where}: numbered {n} (lines removed or moved)"
            return result
        if line_prev != prev:
            result.problem = f"{where}: does not follow the previous line (a line before it was edited)"
            return result
        result.anchors.append(AnchoredCheckpoint(checkpoint, where))
        prev = _line_hash(line)
    result.last_line_hash = prev
    return result


@contextlib.contextmanager
def _locked_append(path: Path) -> Iterator[int]:
    ensure_private_dir(path.parent)
    fd = open_private_append(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the daemon and `audit checkpoint` may append at the same time
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def anchor_line(checkpoint: Checkpoint, *, number: int, prev: str) -> str:
    record = checkpoint.to_record()
    return canonical_json({"v": ANCHOR_VERSION, "n": number, "prev": prev, "checkpoint": record})


def append_anchors(path: Path, checkpoints: Sequence[Checkpoint]) -> list[Checkpoint]:
    """Append the checkpoints the file does not hold yet (by signature); returns those appended."""
    with _locked_append(path) as fd:
        current = read_anchor_file(path)
        if current.problem is not None:
            # never extend a damaged file: the damage is evidence and verify reports it
            from monitor.audit.errors import AnchorDamaged

            raise AnchorDamaged(current.problem)
        known = current.signatures
        number, prev = len(current.anchors), current.last_line_hash
        written: list[Checkpoint] = []
        chunks: list[str] = []
        for checkpoint in checkpoints:
            if checkpoint.signature in known:
                continue
            number += 1
            line = anchor_line(checkpoint, number=number, prev=prev)
            chunks.append(line + "\n")
            prev = _line_hash(line)
            known.add(checkpoint.signature)
            written.append(checkpoint)
        if chunks:
            os.write(fd, "".join(chunks).encode("utf-8"))
            os.fsync(fd)
    return written


def push_message(checkpoint: Checkpoint) -> dict[str, Any]:
    """The outbox payload that carries a checkpoint to the auditors' channel, verbatim."""
    record = canonical_json(checkpoint.to_record())
    title = f"BrandGuard 合规日志签名检查点 seq {checkpoint.seq}"
    return {
        "title": title,
        "text": f"{title}\n{record}",
        "markdown": f"**{title}**\n\n`{record}`",
        "link": "",
        "kind": ANCHOR_KIND,
    }


def sync_anchors(
    engine: Engine, ring: KeyRing, *, anchor_file: Path | None, channel: str | None, now: datetime
) -> list[Checkpoint]:
    """Copy every stored checkpoint that verifies with the ring and is not anchored yet into the anchor
    file, and queue it for the channel. Called after each checkpoint (daemon tick, CLI)."""
    with engine.connect() as conn:
        stored = [c for c in load_checkpoints(conn) if ring.problem(c) is None]
    appended = append_anchors(anchor_file, stored) if anchor_file is not None else stored
    if channel and appended:
        rows: list[dict[str, Any]] = [
            {
                "idempotency_key": f"anchor:{c.signature[:48]}",
                "channel": channel,
                "incident_id": None,
                "severity": None,
                "kind": ANCHOR_KIND,
                "payload": push_message(c),
                "not_before": now,
                "created_at": now,
            }
            for c in appended
        ]
        with engine.begin() as conn:
            existing = outbox_repo.existing_keys(conn, [r["idempotency_key"] for r in rows])
            outbox_repo.insert_pending(conn, [r for r in rows if r["idempotency_key"] not in existing])
    return appended


def with_label(anchor: AnchoredCheckpoint) -> Checkpoint:
    """The anchored checkpoint without its database id (the database copy may be gone)."""
    return replace(anchor.checkpoint, id=None)


def describe(anchor: AnchoredCheckpoint) -> str:
    c = anchor.checkpoint
    return f"{anchor.label} ({c.kind}, seq {c.seq}, signed {format_ts(c.ts)})"
