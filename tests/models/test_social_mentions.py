"""The hand-written social-post set: size, industries, per-template split, guideline, generation."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

from models.data import make_social_mentions

SOCIAL = Path(make_social_mentions.OUTPUT)


def _rows() -> list[dict[str, str]]:
    with SOCIAL.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_size_industries_and_labels() -> None:
    rows = _rows()
    assert len(rows) >= 2000
    assert len({r["sector"] for r in rows} - {"any"}) >= 10
    assert {r["label"] for r in rows} == {"negative", "neutral", "positive"}
    test_kinds = {r["kind"] for r in rows if r["split"] == "test"}
    assert test_kinds == {r["kind"] for r in rows}


def test_the_split_is_per_template() -> None:
    sides: dict[str, set[str]] = defaultdict(set)
    for row in _rows():
        sides[row["template"]].add(row["split"])
    assert all(len(s) == 1 for s in sides.values())
    share = Counter(next(iter(s)) for s in sides.values())["test"] / len(sides)
    assert 0.2 < share < 0.4


def test_labelling_guideline() -> None:
    for row in _rows():
        if row["kind"] in ("crisis_news", "complaint", "sarcasm"):
            assert row["label"] == "negative", row
        if row["kind"] in ("announcement", "neutral_news", "question"):
            assert row["label"] == "neutral", row
        if row["kind"] == "praise":
            assert row["label"] == "positive", row


def test_posts_use_the_platforms_language() -> None:
    texts = [r["text"] for r in _rows()]
    assert sum("//@" in t for t in texts) >= 150
    assert sum(t.count("#") >= 2 for t in texts) >= 100
    assert sum("[" in t for t in texts) >= 200


def test_csv_is_what_the_generator_produces() -> None:
    assert make_social_mentions.build() == _rows()
