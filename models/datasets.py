"""Reading training and evaluation data: CSV or JSONL with ``text`` and ``label`` (and maybe ``split``).

CSV needs a header row; JSONL one object per line. Labels are negative / neutral / positive. A file
with a ``split`` column can be filtered to ``train`` or ``test`` rows. Every problem raises
``DataError`` naming the file (and line).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from models.artifact import sha256_file
from models.errors import DataError
from models.predictor import LABELS


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    kind: str = ""
    group: str = ""  # rows of one template share a group: cross-validation keeps them in one fold


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(f"{path}: line {line}: not valid UTF-8") from exc


def _records(path: Path) -> list[tuple[int, dict[str, str]]]:
    text = _decode(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        records: list[tuple[int, dict[str, str]]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}: line {number}: not JSON ({exc.msg})") from exc
            if not isinstance(obj, dict):
                raise DataError(f"{path}: line {number}: expected a JSON object")
            records.append((number, {str(k): "" if v is None else str(v) for k, v in obj.items()}))
        return records
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        return []
    # DictReader counts physical lines, so a quoted newline keeps line numbers right.
    return [(reader.line_num, {k: v or "" for k, v in row.items() if k is not None}) for row in reader]


def read_labelled(path: Path, *, split: str | None = None) -> list[Example]:
    """Rows with a text and a label; with ``split`` only rows whose ``split`` column equals it."""
    records = _records(path)
    if records and ("text" not in records[0][1] or "label" not in records[0][1]):
        raise DataError(f"{path}: needs 'text' and 'label' columns (found {sorted(records[0][1])})")
    if split is not None and records and "split" not in records[0][1]:
        raise DataError(f"{path}: --split {split} given but the file has no 'split' column")
    out: list[Example] = []
    for number, row in records:
        if split is not None and row.get("split") != split:
            continue
        label = row.get("label", "").strip().lower()
        if label not in LABELS:
            raise DataError(f"{path}: line {number}: label {label!r} is not one of {', '.join(LABELS)}")
        text = row.get("text", "")
        out.append(Example(text, label, row.get("kind", ""), row.get("template") or text))
    return out


def read_texts(path: Path) -> list[str]:
    """Unlabelled texts: a ``text`` column (CSV/JSONL), or one text per line for other suffixes."""
    if path.suffix.lower() in (".csv", ".jsonl", ".ndjson"):
        records = _records(path)
        if records and "text" not in records[0][1]:
            raise DataError(f"{path}: needs a 'text' column")
        return [row["text"] for _, row in records]
    return [line for line in _decode(path).splitlines() if line.strip()]


def file_digest(path: Path) -> str:
    return sha256_file(path)
