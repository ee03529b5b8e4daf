"""``load_model``: find, verify and assemble the artifact, checking it matches this code and tokeniser."""

from __future__ import annotations

from pathlib import Path

from models import tokenize
from models.artifact import SHIPPED_DIR, card_metadata_sha256, read_artifact
from models.errors import ArtifactError
from models.features import CHAR_NGRAMS, feature_fingerprint, make_analyzer
from models.predictor import LABELS, SentimentModel
from models.risk_terms import RISK_TERMS
from models.text import MAX_CHARS


def load_model(path: Path | None = None, *, tokenizer: str = "auto") -> SentimentModel:
    """Load a sentiment model.

    ``path`` is an artifact directory (see ``models.artifact``); ``None`` loads the shipped model in
    ``models/artifact/``, whose metadata SHA-256 must also match the value in ``models/MODEL_CARD.md``.
    ``tokenizer`` is ``"auto"`` (rjieba when installed, else jieba), ``"jieba"`` or ``"rjieba"``.
    Raises ``ArtifactError`` naming the file and the fix when anything is missing, corrupt or mismatched.
    """
    directory = SHIPPED_DIR if path is None else Path(path)
    expected = card_metadata_sha256() if path is None else None
    arrays = read_artifact(directory, expected_metadata_sha256=expected)
    meta = arrays.metadata
    meta_file = directory / "metadata.json"
    settings = {
        "labels": list(LABELS),
        "max_chars": MAX_CHARS,
        "char_ngrams": list(CHAR_NGRAMS),
        "risk_terms": list(RISK_TERMS),
        "feature_fingerprint": feature_fingerprint(),
    }
    for key, expected_value in settings.items():
        if meta.get(key) != expected_value:
            raise ArtifactError(
                f"{meta_file}: '{key}' differs from this version of BrandGuard's feature code; "
                "retrain with `brandguard model train` (see models/MODEL_CARD.md)"
            )
    name, cut = _choose_tokenizer(tokenizer, meta.get("tokenizer", {}), meta_file)
    return SentimentModel(arrays, make_analyzer(cut), name)


def _choose_tokenizer(
    wanted: str, recorded: dict[str, str | None], meta_file: Path
) -> tuple[str, tokenize.Cutter]:
    installed = tokenize.versions()
    # Different dictionaries segment differently, so a model is only valid with the versions it saw.
    if installed["jieba"] != recorded.get("jieba"):
        raise ArtifactError(
            f"{meta_file}: trained with jieba {recorded.get('jieba')}, installed is {installed['jieba']}; "
            f"install jieba=={recorded.get('jieba')} or retrain with `brandguard model train`"
        )
    if wanted == "jieba":
        return "jieba", tokenize.jieba_cutter()
    if wanted not in ("auto", "rjieba"):
        raise ArtifactError(f"unknown tokenizer {wanted!r}; use auto, jieba or rjieba")
    if installed["rjieba"] is None:
        if wanted == "rjieba":
            raise ArtifactError("rjieba is not installed; install it with `pip install brandguard[fast]`")
        return "jieba", tokenize.jieba_cutter()
    if recorded.get("rjieba") not in (None, installed["rjieba"]):
        raise ArtifactError(
            f"{meta_file}: checked against rjieba {recorded.get('rjieba')}, "
            f"installed is {installed['rjieba']}; "
            f"install rjieba=={recorded.get('rjieba')}, uninstall it (jieba is used), or retrain"
        )
    cut = tokenize.rjieba_cutter()
    assert cut is not None  # versions() saw the distribution
    return "rjieba", cut
