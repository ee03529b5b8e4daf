"""The numpy predictor must reproduce the scikit-learn pipeline it was exported from."""

from __future__ import annotations

import numpy as np

from models.artifact import read_artifact, write_artifact
from models.datasets import read_labelled
from models.features import make_analyzer
from models.predictor import SentimentModel
from models.tokenize import best_cutter
from models.training import FittedPipeline
from tests.models.conftest import BRAND_MENTIONS

EXTRA = [
    "",
    "   ",
    "hello world, great phone!",
    "😀😀",
    "召回" * 400,
    "一点也不差",
    "Ｆｕｌｌ　ｗｉｄｔｈ 测试",
    "转发微博//@a:",
    "[赞][赞]👍🏻//@某人：#话题# 离谱[抓狂]",
    "#只有话题#",
    "a",
    "ab",
    "\U0001f600" * 3 + "x",
]
SOCIAL = BRAND_MENTIONS.parent / "social_mentions.csv"


def test_numpy_probabilities_equal_sklearn_to_1e_6(small_pipeline: FittedPipeline, tmp_path) -> None:
    write_artifact(
        tmp_path, metadata={"labels": ["negative", "neutral", "positive"]}, **small_pipeline.export_arrays()
    )
    name, cut = best_cutter()
    model = SentimentModel(read_artifact(tmp_path), make_analyzer(cut), name)
    texts = [e.text for e in read_labelled(BRAND_MENTIONS) + read_labelled(SOCIAL)] + EXTRA
    expected = small_pipeline.predict_proba(texts)
    got = model.predict_proba(texts)
    assert got.shape == expected.shape == (len(texts), 3)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert np.allclose(got.sum(axis=1), 1.0)
    # batches of one text and one big batch agree (the n-gram path must not cross text boundaries)
    single = np.vstack([model.predict_proba([t]) for t in texts[:50]])
    np.testing.assert_allclose(single, got[:50], rtol=0, atol=1e-12)
