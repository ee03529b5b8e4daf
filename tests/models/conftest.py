from __future__ import annotations

from pathlib import Path

import pytest

from models.training import FittedPipeline, TrainConfig, build_corpus, fit, train

BRAND_MENTIONS = Path(__file__).resolve().parents[2] / "models" / "data" / "brand_mentions.csv"


def small_config() -> TrainConfig:
    # Brand mentions only (train split), few features, 3 folds: seconds, not minutes.
    return TrainConfig(in_domain=[BRAND_MENTIONS], max_features=5000, cv_folds=3, in_domain_weight=1.0)


@pytest.fixture(scope="session")
def small_pipeline() -> FittedPipeline:
    config = small_config()
    return fit(build_corpus(config), config)


@pytest.fixture(scope="session")
def small_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("artifact")
    train(small_config(), out)
    return out
