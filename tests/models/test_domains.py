"""Per-domain evaluation and the shared-corpus held-out slice (never trained on)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from models.datasets import Example
from models.domains import domain_sets, evaluate_domains, format_domains
from models.heldout import is_heldout
from models.training import TrainConfig, build_corpus

ROOT = Path(__file__).resolve().parents[2]


def _write_shared(directory: Path) -> tuple[list[str], list[str]]:
    reviews = [f"第{i}次买，质量{'很好' if i % 2 else '太差'}" for i in range(400)]
    headlines = [f"第{i}届运动会开幕" for i in range(300)]
    with (directory / "reviews.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["label", "domain", "text"])
        writer.writerows([("positive" if i % 2 else "negative", "x", t) for i, t in enumerate(reviews)])
    with (directory / "news_headlines.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["topic", "text"])
        writer.writerows([("sports", t) for t in headlines] + [("x", "星河手机宣布召回")])
    return reviews, headlines


def test_heldout_slice_is_about_ten_percent_and_stable() -> None:
    texts = [f"text {i}" for i in range(5000)]
    share = sum(map(is_heldout, texts)) / len(texts)
    assert 0.08 < share < 0.12
    assert [is_heldout(t) for t in texts[:50]] == [is_heldout(t) for t in texts[:50]]


def test_training_never_sees_the_heldout_slice(tmp_path: Path) -> None:
    reviews, _ = _write_shared(tmp_path)
    corpus = build_corpus(
        TrainConfig(data=[tmp_path / "reviews.csv"], neutral=[tmp_path / "news_headlines.csv"])
    )
    assert corpus.texts
    assert not any(is_heldout(t) for t in corpus.texts)
    sets = domain_sets(tmp_path)
    assert {e.text for e in sets["reviews"]} == {t for t in reviews if is_heldout(t)}
    assert not set(corpus.texts) & {e.text for e in sets["reviews"] + sets["news"]}
    assert all(e.label == "neutral" for e in sets["news"])


def test_domains_without_shared_corpora_still_cover_social_and_brand() -> None:
    sets = domain_sets(None)
    assert set(sets) == {"social", "brand mentions"}
    assert len(sets["social"]) >= 500


def test_evaluate_domains_and_format(small_artifact: Path) -> None:
    from models import load_model

    sets = {
        "social": [Example("星河手机太坑了", "negative"), Example("星河手机很好用", "positive")],
        "news": [Example("运动会开幕", "neutral")],
    }
    results = evaluate_domains(load_model(small_artifact), sets)
    assert set(results) == {"social", "news"}
    assert abs(sum(results["social"]["predicted_share"].values()) - 1.0) < 1e-9
    table = format_domains(results)
    assert "social" in table and "news" in table and "n/a" in table


def test_cli_evaluate_domains(tmp_path: Path) -> None:
    _write_shared(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "model", "evaluate", "--domains", "--shared", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines()[1:5]]
    assert names == ["reviews", "news", "social", "brand"]
