"""Story linking on public, human-labelled Chinese news pairs that nobody on the team wrote.

The corpus is read from a path given on the command line and never copied into the repository (neither
source states a licence). Two formats are read:

* sohu2021 text-matching pairs, one JSON object a line: ``{"source", "target", "labelA"|"labelB"}``.
  The 973-pair sample ships in the public repository biendata-com/sohu2021-baseline as
  ``data/raw/samples.txt``. labelA = same topic (the looser standard), labelB = same event.
* CNSE / CNSS (Liu et al., ACL 2019; BangLiu/ArticlePairMatching,
  ``data/raw/event-story-cluster/same_{event,story}_doc_pair.txt``), ``|``-separated:
  label|doc_id1|doc_id2|title1|title2|content1|content2|... (the GitHub copy is a Git LFS pointer;
  the authors also publish it on Baidu pan, see their README).

A mention has a title and text, so each side is turned into one linker input: CNSE/CNSS ``title + first
150 characters of content``, sohu ``first 150 characters`` (its sides are a headline or a lead paragraph).
Pairs are de-duplicated and ordered by SHA-1 of the pair; the dev half (tune on it) is the pairs whose
hash is even, the test half (report, never tune) the odd ones. Positive class = "same story".

    .venv/bin/python bench/story_linking_real.py PATH [--limit N] [--show-errors dev|test]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alerts.story import same_story

CHARS = 150


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool

    @property
    def key(self) -> str:
        return hashlib.sha1(f"{self.a}\x00{self.b}".encode()).hexdigest()


def _sohu(line: str) -> Pair | None:
    row = json.loads(line)
    label = row.get("labelB", row.get("labelA"))
    if label is None:
        return None
    return Pair(row["source"].strip()[:CHARS], row["target"].strip()[:CHARS], str(label) == "1")


def _cnss(line: str) -> Pair | None:
    cols = line.split("|")
    if len(cols) < 7 or cols[0] not in ("0", "1"):
        return None
    a = f"{cols[3].strip()}，{cols[5].strip()[:CHARS]}"
    b = f"{cols[4].strip()}，{cols[6].strip()[:CHARS]}"
    return Pair(a, b, cols[0] == "1")


def load(path: Path) -> list[Pair]:
    text = path.read_text(encoding="utf-8")
    if text.startswith("version https://git-lfs"):
        raise ValueError(f"{path} is a Git LFS pointer, not the corpus")
    parse: Callable[[str], Pair | None] = _sohu if text.lstrip().startswith("{") else _cnss
    pairs: dict[str, Pair] = {}
    for line in text.splitlines():
        if line.strip():
            pair = parse(line)
            if pair is not None and pair.a and pair.b:
                pairs.setdefault(pair.key, pair)
    return sorted(pairs.values(), key=lambda p: p.key)


def split(pairs: list[Pair]) -> tuple[list[Pair], list[Pair]]:
    dev = [p for p in pairs if int(p.key, 16) % 2 == 0]
    test = [p for p in pairs if int(p.key, 16) % 2 == 1]
    return dev, test


def score(pairs: list[Pair], predicted: list[bool]) -> str:
    tp = sum(p and q.same for p, q in zip(predicted, pairs, strict=True))
    fp = sum(p and not q.same for p, q in zip(predicted, pairs, strict=True))
    fn = sum(q.same and not p for p, q in zip(predicted, pairs, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  (tp {tp}, fp {fp}, fn {fn})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="use the first N pairs in hash order")
    parser.add_argument("--show-errors", choices=("dev", "test"))
    args = parser.parse_args()
    try:
        pairs = load(args.path)
    except (OSError, ValueError, UnicodeDecodeError, json.JSONDecodeError, KeyError) as exc:
        print(f"story_linking_real: cannot read {args.path}: {exc}", file=sys.stderr)
        return 2
    if args.limit:
        pairs = pairs[: args.limit]
    dev, test = split(pairs)
    for name, half in (("dev", dev), ("test", test)):
        same = sum(p.same for p in half)
        started = time.perf_counter()
        predicted = [same_story(p.a, p.b) for p in half]
        per_pair = (time.perf_counter() - started) / max(1, len(half)) * 1e6
        print(f"== {name}: {len(half)} pairs ({same} same, {len(half) - same} different)")
        print(f"same_story  {score(half, predicted)}  {per_pair:.0f} us/pair")
        if args.show_errors == name:
            for pair, guess in zip(half, predicted, strict=True):
                if guess != pair.same:
                    print(("FP " if guess else "FN ") + f"{pair.a[:60]} | {pair.b[:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
