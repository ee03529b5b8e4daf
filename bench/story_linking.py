"""Precision and recall of story linking on the labelled pair set (bench/data/story_pairs.jsonl).

Positive class = "same story". Compares ``alerts.story.same_story`` (event facts, then wording) with the
wording-only baseline (bigram overlap >= story_similarity, the rule before issue 15), and times one
comparison (cold cache: every text new). The public pairs are scored by bench/story_linking_real.py.

    .venv/bin/python bench/story_linking.py [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from alerts.story import same_story, similarity
from alerts.story_text import weighted

DATA = Path(__file__).parent / "data"


def score(predicted: list[bool], truth: list[bool]) -> tuple[float, float, int, int, int]:
    """Precision, recall, true positives, false positives, false negatives."""
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, tp, fp, fn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    for name in ("story_pairs", "story_pairs_heldout"):
        print(f"== {name}.jsonl")
        report(DATA / f"{name}.jsonl", show_errors=args.show_errors)


def report(path: Path, *, show_errors: bool) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    truth = [bool(r["same"]) for r in rows]
    same = sum(truth)
    print(f"{len(rows)} pairs ({same} same story, {len(rows) - same} different story)")
    weighted.cache_clear()
    started = time.perf_counter()
    ours = [same_story(r["a"], r["b"], brand=r["brand"]) for r in rows]
    per_pair = (time.perf_counter() - started) / len(rows) * 1e6
    base = [similarity(r["a"], r["b"], brand=r["brand"]) >= 0.6 for r in rows]
    for name, predicted in (
        ("same_story (facts, then wording)", ours),
        ("baseline (bigram overlap >= 0.6)", base),
    ):
        p, r, tp, fp, fn = score(predicted, truth)
        shown = f"{p:.3f}" if tp + fp else "n/a (nothing linked)"
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:<34} precision {shown}  recall {r:.3f}  F1 {f1:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    print(f"same_story: {per_pair:.0f} us per comparison (cold cache)")
    if show_errors:
        for row, predicted in zip(rows, ours, strict=True):
            if predicted != row["same"]:
                print(("FP " if predicted else "FN ") + f"{row['a']} | {row['b']}")


if __name__ == "__main__":
    main()
