"""The hand-written brand-mention set: size, coverage, split hygiene, and reproducible generation."""

from __future__ import annotations

import csv
from collections import Counter

from models.data import make_brand_mentions
from tests.models.conftest import BRAND_MENTIONS

KINDS = {
    "complaint",
    "crisis_news",
    "question",
    "announcement",
    "praise",
    "negation",
    "sarcasm",
    "neutral_news",
}


def _rows() -> list[dict[str, str]]:
    with BRAND_MENTIONS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_size_columns_and_coverage() -> None:
    rows = _rows()
    assert len(rows) >= 600
    assert set(rows[0]) == {"id", "split", "label", "kind", "text"}
    assert {r["kind"] for r in rows} == KINDS
    assert {r["label"] for r in rows} == {"negative", "neutral", "positive"}
    test_kinds = Counter(r["kind"] for r in rows if r["split"] == "test")
    assert set(test_kinds) == KINDS
    share = sum(test_kinds.values()) / len(rows)
    assert 0.2 < share < 0.35


def test_no_sentence_is_in_both_splits() -> None:
    rows = _rows()
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts)


def test_labelling_guideline_crisis_news_and_sarcasm_are_negative() -> None:
    for row in _rows():
        if row["kind"] in ("crisis_news", "complaint", "sarcasm"):
            assert row["label"] == "negative", row
        if row["kind"] in ("announcement", "neutral_news", "question"):
            assert row["label"] == "neutral", row


def test_csv_is_what_the_generator_produces() -> None:
    rows = make_brand_mentions.build()
    assert [(r["id"], r["split"], r["label"], r["kind"], r["text"]) for r in rows] == [
        (r["id"], r["split"], r["label"], r["kind"], r["text"]) for r in _rows()
    ]


def test_inspected_sentences_are_never_in_test() -> None:
    inspected = {
        line.strip()
        for line in make_brand_mentions.INSPECTED.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    templates = {r["text"] for r in _rows() if r["split"] == "test"}
    brands = [b for group in make_brand_mentions.BRANDS.values() for b in group]
    test_templates = {t.replace(b, "{b}") for t in templates for b in brands if b in t}
    inspected_templates = {t.replace(b, "{b}") for t in inspected for b in brands if b in t}
    assert not (test_templates & inspected_templates)
