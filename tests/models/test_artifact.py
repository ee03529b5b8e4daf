"""Loading refuses anything it cannot vouch for, and says which file and how to fix it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from models import artifact, load_model, tokenize
from models.errors import ArtifactError


@pytest.fixture
def copy(small_artifact: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(small_artifact, target)
    return target


def test_a_trained_artifact_loads_and_predicts(copy: Path) -> None:
    model = load_model(copy)
    [pred] = model.predict(["速达快递把我的包裹弄丢了，客服也不管"])
    assert pred.label in ("negative", "neutral", "positive")
    assert 0.0 <= pred.p_negative <= 1.0


@pytest.mark.parametrize("name", [artifact.WEIGHTS_FILE, artifact.VOCABULARY_FILE, artifact.METADATA_FILE])
def test_missing_file_is_named(copy: Path, name: str) -> None:
    (copy / name).unlink()
    with pytest.raises(ArtifactError, match=rf"{name}.*missing.*retrain"):
        load_model(copy)


@pytest.mark.parametrize("name", [artifact.WEIGHTS_FILE, artifact.VOCABULARY_FILE])
def test_changed_file_fails_the_hash_check(copy: Path, name: str) -> None:
    path = copy / name
    path.write_bytes(path.read_bytes()[:-1] + b" ")
    with pytest.raises(ArtifactError, match=rf"{name}: SHA-256 does not match"):
        load_model(copy)


def test_unparseable_metadata(copy: Path) -> None:
    (copy / artifact.METADATA_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtifactError, match=r"metadata\.json: not valid JSON"):
        load_model(copy)


def _edit_metadata(directory: Path, **changes: object) -> None:
    path = directory / artifact.METADATA_FILE
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(changes)
    path.write_text(json.dumps(meta), encoding="utf-8")


def test_other_format_version(copy: Path) -> None:
    _edit_metadata(copy, format="brandguard-sentiment/0")
    with pytest.raises(ArtifactError, match="format 'brandguard-sentiment/0'"):
        load_model(copy)


def test_other_feature_code(copy: Path) -> None:
    _edit_metadata(copy, feature_fingerprint="0" * 64)
    with pytest.raises(ArtifactError, match="feature_fingerprint"):
        load_model(copy)


def test_tokeniser_version_mismatch(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenize, "versions", lambda: {"jieba": "0.39", "rjieba": None})
    with pytest.raises(ArtifactError, match=r"trained with jieba 0\.42\.1, installed is 0\.39"):
        load_model(copy)


def test_rjieba_version_mismatch(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tokenize.versions()
    if real["rjieba"] is None:
        pytest.skip("rjieba not installed")
    monkeypatch.setattr(tokenize, "versions", lambda: {**real, "rjieba": "9.9.9"})
    with pytest.raises(ArtifactError, match="rjieba"):
        load_model(copy)


def test_reference_tokeniser_gives_the_same_scores(copy: Path) -> None:
    texts = ["木棉美妆的面霜一点也不油腻", "云帆汽车宣布召回部分车辆", "请问几点开门？"]
    fast = load_model(copy).predict_proba(texts)
    reference = load_model(copy, tokenizer="jieba").predict_proba(texts)
    assert (abs(fast - reference) < 1e-12).all()


def test_shipped_artifact_is_pinned_by_the_model_card() -> None:
    digest = artifact.card_metadata_sha256()
    assert artifact.sha256_file(artifact.SHIPPED_DIR / artifact.METADATA_FILE) == digest
    total = sum(p.stat().st_size for p in artifact.SHIPPED_DIR.iterdir())
    assert total <= 20 * 1024 * 1024


def test_model_card_mismatch_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    card = tmp_path / "MODEL_CARD.md"
    card.write_text("metadata.json SHA-256: `" + "a" * 64 + "`\n", encoding="utf-8")
    monkeypatch.setattr(artifact, "MODEL_CARD", card)
    monkeypatch.setattr(artifact.card_metadata_sha256, "__defaults__", (card,))
    with pytest.raises(ArtifactError, match=r"differs from the value in MODEL_CARD\.md"):
        load_model()


def test_training_is_reproducible(small_artifact: Path, tmp_path: Path) -> None:
    from models.training import train
    from tests.models.conftest import small_config

    again = train(small_config(), tmp_path / "again")
    assert again["metadata_sha256"] == artifact.sha256_file(small_artifact / artifact.METADATA_FILE)
