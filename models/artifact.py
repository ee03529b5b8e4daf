"""The on-disk model: arrays (.npz, no pickle) + vocabulary (JSON) + metadata (JSON), all hash-checked.

Layout of an artifact directory::

    weights.npz      idf (n_features,), coef (n_features, 3), intercept (3,), temperature () and the
                     predictor's lookup tables derived from the vocabulary (models.lookup) (stored)
    vocabulary.json  list of feature strings; position = column index (hash-checked on load; the
                     predictor reads the tables instead of parsing it)
    metadata.json    format, versions, labels, settings, data hashes, SHA-256 of the two files above

Nothing here can carry code: ``np.load(..., allow_pickle=False)`` and ``json``. The shipped artifact's
``metadata.json`` is itself pinned by a SHA-256 written in ``models/MODEL_CARD.md``, so a swapped
metadata file cannot vouch for swapped weights.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.errors import ArtifactError
from models.lookup import TABLES, build_lookup, check_lookup

# 2: the lookup tables moved from start-up into weights.npz (format 1 artifacts: retrain).
FORMAT = "brandguard-sentiment/2"
WEIGHTS_FILE = "weights.npz"
VOCABULARY_FILE = "vocabulary.json"
METADATA_FILE = "metadata.json"
PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_DIR = PACKAGE_DIR / "artifact"
MODEL_CARD = PACKAGE_DIR / "MODEL_CARD.md"
_CARD_LINE = re.compile(r"metadata\.json SHA-256:\s*`?([0-9a-f]{64})`?")
_RETRAIN_HINT = (
    "retrain with `brandguard model train` (see models/MODEL_CARD.md) or restore the file from the repository"
)


@dataclass(frozen=True)
class ArtifactArrays:
    lookup: dict[str, np.ndarray]  # models.lookup.TABLES
    idf: np.ndarray
    coef: np.ndarray  # (n_features, n_labels): row lookup per feature is the hot path
    intercept: np.ndarray
    temperature: float
    metadata: dict[str, Any]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed`` but byte-reproducible: numpy stamps each member with the current
    time, which would change the file's SHA-256 on every retraining of identical data."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            # Stored, not deflated: float64 weights shrink only ~30% and inflating them was ~10% of the
            # start-up time of `brandguard sentiment`; the size limit (20 MB) leaves room.
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, buffer.getvalue())


def write_artifact(
    directory: Path,
    *,
    vocabulary: list[str],
    idf: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
    temperature: float,
    metadata: dict[str, Any],
) -> str:
    """Write the three files; return the SHA-256 of metadata.json (to record in the model card)."""
    directory.mkdir(parents=True, exist_ok=True)
    weights = directory / WEIGHTS_FILE
    _write_npz(
        weights,
        {
            "idf": np.asarray(idf, dtype=np.float64),
            "coef": np.ascontiguousarray(coef, dtype=np.float64),
            "intercept": np.asarray(intercept, dtype=np.float64),
            "temperature": np.asarray(temperature, dtype=np.float64),
            **build_lookup(vocabulary),
        },
    )
    vocab_path = directory / VOCABULARY_FILE
    vocab_path.write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    meta = dict(metadata)
    meta["format"] = FORMAT
    meta["files"] = {WEIGHTS_FILE: sha256_file(weights), VOCABULARY_FILE: sha256_file(vocab_path)}
    meta_path = directory / METADATA_FILE
    meta_path.write_text(
        json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return sha256_file(meta_path)


def card_metadata_sha256(card: Path = MODEL_CARD) -> str:
    try:
        match = _CARD_LINE.search(card.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ArtifactError(f"{card}: cannot read the model card ({exc.strerror}); {_RETRAIN_HINT}") from exc
    if match is None:
        raise ArtifactError(f"{card}: no 'metadata.json SHA-256: <hex>' line; {_RETRAIN_HINT}")
    return match.group(1)


def read_artifact(directory: Path, *, expected_metadata_sha256: str | None = None) -> ArtifactArrays:
    """Load and verify an artifact directory; every failure names the file and the fix."""
    meta_path = directory / METADATA_FILE
    if not meta_path.is_file():
        raise ArtifactError(f"{meta_path}: model metadata is missing; {_RETRAIN_HINT}")
    if expected_metadata_sha256 is not None and sha256_file(meta_path) != expected_metadata_sha256:
        raise ArtifactError(
            f"{meta_path}: SHA-256 differs from the value in {MODEL_CARD.name}; the file was changed; "
            + _RETRAIN_HINT
        )
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{meta_path}: not valid JSON ({exc}); {_RETRAIN_HINT}") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        found = metadata.get("format") if isinstance(metadata, dict) else None
        raise ArtifactError(
            f"{meta_path}: format {found!r}, this BrandGuard reads {FORMAT!r}; {_RETRAIN_HINT}"
        )
    files = metadata.get("files") or {}
    for name in (WEIGHTS_FILE, VOCABULARY_FILE):
        path = directory / name
        if not path.is_file():
            raise ArtifactError(f"{path}: model file is missing; {_RETRAIN_HINT}")
        if sha256_file(path) != files.get(name):
            raise ArtifactError(
                f"{path}: SHA-256 does not match {METADATA_FILE} (corrupt or replaced); {_RETRAIN_HINT}"
            )
    weights_path = directory / WEIGHTS_FILE
    try:
        with np.load(weights_path, allow_pickle=False) as npz:
            idf = npz["idf"]
            coef = npz["coef"]
            intercept = npz["intercept"]
            temperature = float(npz["temperature"])
            lookup = {name: npz[name] for name in TABLES}
    except (OSError, ValueError, KeyError) as exc:
        raise ArtifactError(f"{weights_path}: cannot read model arrays ({exc}); {_RETRAIN_HINT}") from exc
    n_labels = len(metadata.get("labels", ()))
    if not (
        idf.ndim == 1 and idf.shape[0] == coef.shape[0] and coef.shape[1] == n_labels == intercept.shape[0]
    ):
        raise ArtifactError(f"{weights_path}: array shapes do not match the vocabulary; {_RETRAIN_HINT}")
    problem = check_lookup(lookup, idf.shape[0])
    if problem is not None:
        raise ArtifactError(f"{weights_path}: {problem}; {_RETRAIN_HINT}")
    return ArtifactArrays(lookup, idf, coef, intercept, temperature, metadata)
