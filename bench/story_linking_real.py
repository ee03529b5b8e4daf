"""Story linking on public, human-labelled Chinese news pairs that nobody on the team wrote.

The corpus is read from a path given on the command line and never copied into the repository (neither
source states a licence). Two formats are read:

* sohu2021 text-matching pairs, JSON objects one a line or run together with no separator:
  ``{"source", "target", "labelA"|"labelB"|"label"}``. labelA = same topic (the looser standard),
  labelB = same event ("两段文字须是同一个事件才视为匹配"). The 973-pair labelA sample ships in the public
  repository biendata-com/sohu2021-baseline as ``data/raw/samples.txt``. The contest's full short-short
  sets ship in YFHuangxxxx/cPromptSource as ``promptsource/datasets/sohu-sts-B-ss/{train,valid}-r.json``
  (same event; 9,858 and 1,643 pairs) and ``sohu-sts-A-ss/`` (same topic); there the key is plain
  ``label`` and the directory says which standard it is.
* CNSE / CNSS (Liu et al., ACL 2019; BangLiu/ArticlePairMatching,
  ``data/raw/event-story-cluster/same_{event,story}_doc_pair.txt``), ``|``-separated:
  label|doc_id1|doc_id2|title1|title2|content1|content2|... (the GitHub copy is a Git LFS pointer;
  the authors also publish it on Baidu pan, see their README).

A mention has a title and text, so each side is turned into one linker input: CNSE/CNSS ``title + first
150 characters of content``, sohu ``first 150 characters`` (its sides are a headline or a lead paragraph).
Pairs are de-duplicated and ordered by SHA-1 of the pair; the dev half (tune on it) is the pairs whose
hash is even, the test half (report, never tune) the odd ones. Positive class = "same story". Several
paths are read as one set (train + valid); a pair in two files counts once, in the same half as ever.
So the 110 sohu-sts-B-ss pairs that are also in samples.txt (whose dev half the linker's bars were
chosen on) fall in the same half there: the test half holds none of the pairs it was tuned on.

Most sohu negatives are unrelated texts, which a PR team's pairs (one brand, two events) are not. So the
false links of each half are also counted apart for its hard different-story pairs, those whose two
sides share a run of at least HARD_RUN word characters (NFKC, lower-cased): a name, a place, a date or a
template phrase (伊藤美诚, 卡纳瓦罗, 北京时间, 每经AI快讯), and for the rest.

``--ids FILE`` restricts the pairs to the ids (pair SHA-1s) of a ``id<TAB>label`` file and scores them
against that file's label, e.g. bench/data/story_subject_consensus.tsv (same-subject pairs on which the
contest label and a blind second reading agree; written by bench/story_pairs_subject.py).

``--subject-as-brand`` passes each pair's longest shared proper noun (bench/story_pairs_subject.py's
rule) as ``brand``: the daemon compares two mentions of one brand with the brand name taken out, and a
shared subject otherwise counts as shared wording.

    .venv/bin/python bench/story_linking_real.py PATH [PATH ...] [--limit N] [--show-errors dev|test]
        [--ids FILE] [--subject-as-brand]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alerts.story import same_story

CHARS = 150
# The shared run, in characters, that makes a different-story pair hard: four catches transliterated
# names, a name with its neighbour and headline templates, and shorter runs (的人, 一个) match by chance.
HARD_RUN = 4
_WORD_RUN = re.compile(r"\w+")


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool

    @property
    def key(self) -> str:
        return hashlib.sha1(f"{self.a}\x00{self.b}".encode()).hexdigest()


def _sohu(row: dict[str, object]) -> Pair | None:
    label = row.get("labelB", row.get("labelA", row.get("label")))
    if label is None:
        return None
    return Pair(str(row["source"]).strip()[:CHARS], str(row["target"]).strip()[:CHARS], str(label) == "1")


def _json_objects(text: str) -> Iterator[dict[str, object]]:
    """JSON objects one a line or run together (cPromptSource writes ``}{`` with no newline)."""
    decoder = json.JSONDecoder()
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return
        row, at = decoder.raw_decode(text, at)
        yield row


def _cnss(line: str) -> Pair | None:
    cols = line.split("|")
    if len(cols) < 7 or cols[0] not in ("0", "1"):
        return None
    a = f"{cols[3].strip()}，{cols[5].strip()[:CHARS]}"
    b = f"{cols[4].strip()}，{cols[6].strip()[:CHARS]}"
    return Pair(a, b, cols[0] == "1")


def _read(path: Path) -> Iterator[Pair | None]:
    text = path.read_text(encoding="utf-8")
    if text.startswith("version https://git-lfs"):
        raise ValueError(f"{path} is a Git LFS pointer, not the corpus")
    if text.lstrip().startswith("{"):
        yield from map(_sohu, _json_objects(text))
        return
    yield from (_cnss(line) for line in text.splitlines() if line.strip())


def load(*paths: Path) -> list[Pair]:
    pairs: dict[str, Pair] = {}
    for path in paths:
        for pair in _read(path):
            if pair is not None and pair.a and pair.b:
                pairs.setdefault(pair.key, pair)
    return sorted(pairs.values(), key=lambda p: p.key)


def read_ids(path: Path) -> dict[str, bool]:
    """``id<TAB>label`` lines (``#`` comments skipped): which pairs to keep, and their label."""
    ids: dict[str, bool] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, label = line.split("\t")[:2]
        if label.strip() not in ("0", "1"):
            raise ValueError(f"{path}: bad label in {line!r}")
        ids[key.strip()] = label.strip() == "1"
    return ids


def restrict(pairs: list[Pair], ids: dict[str, bool]) -> list[Pair]:
    """The pairs whose key is in ids, relabelled with the ids' label (the ids' own order is key order)."""
    return [Pair(p.a, p.b, ids[p.key]) for p in pairs if p.key in ids]


def _runs(text: str) -> set[str]:
    norm = unicodedata.normalize("NFKC", text).lower()
    return {w[i : i + HARD_RUN] for w in _WORD_RUN.findall(norm) for i in range(len(w) - HARD_RUN + 1)}


def hard(pair: Pair) -> bool:
    """Whether the two sides share a run of HARD_RUN word characters."""
    return bool(_runs(pair.a) & _runs(pair.b))


def false_links(pairs: list[Pair], predicted: list[bool]) -> str:
    """False links among different-story pairs, for the hard ones and for the rest."""
    counts = {True: [0, 0], False: [0, 0]}
    for pair, guess in zip(pairs, predicted, strict=True):
        if not pair.same:
            count = counts[hard(pair)]
            count[0] += guess
            count[1] += 1
    (hard_fp, hard_n), (easy_fp, easy_n) = counts[True], counts[False]
    return (
        f"false links: {hard_fp} of {hard_n} ({hard_fp / max(1, hard_n):.1%}) different pairs sharing a"
        f" {HARD_RUN}-run, {easy_fp} of {easy_n} ({easy_fp / max(1, easy_n):.1%}) of the rest"
    )


def _subject(pair: Pair) -> str:
    """The longest proper noun both sides name ("" if none): the brand, as far as a pair can tell."""
    import jieba
    from story_pairs_subject import subjects  # imports this module: import it late

    jieba.setLogLevel(60)
    return max(sorted(subjects(pair.a) & subjects(pair.b)), key=len, default="")


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
    parser.add_argument("path", type=Path, nargs="+")
    parser.add_argument("--limit", type=int, default=0, help="use the first N pairs in hash order")
    parser.add_argument("--show-errors", choices=("dev", "test"))
    parser.add_argument("--ids", type=Path, help="keep only these pair ids, scored by this file's label")
    parser.add_argument(
        "--subject-as-brand",
        action="store_true",
        help="pass the pair's longest shared proper noun as the brand, as the daemon passes the brand",
    )
    args = parser.parse_args()
    try:
        pairs = load(*args.path)
        if args.ids:
            ids = read_ids(args.ids)
            pairs = restrict(pairs, ids)
            if len(pairs) != len(ids):
                print(
                    f"story_linking_real: {len(ids) - len(pairs)} ids of {args.ids} not found",
                    file=sys.stderr,
                )
    except (OSError, ValueError, UnicodeDecodeError, KeyError) as exc:  # JSONDecodeError is a ValueError
        print(f"story_linking_real: cannot read {' '.join(map(str, args.path))}: {exc}", file=sys.stderr)
        return 2
    if args.limit:
        pairs = pairs[: args.limit]
    dev, test = split(pairs)
    for name, half in (("dev", dev), ("test", test)):
        same = sum(p.same for p in half)
        brands = [_subject(p) if args.subject_as_brand else "" for p in half]
        started = time.perf_counter()
        predicted = [same_story(p.a, p.b, brand=brand) for p, brand in zip(half, brands, strict=True)]
        per_pair = (time.perf_counter() - started) / max(1, len(half)) * 1e6
        print(f"== {name}: {len(half)} pairs ({same} same, {len(half) - same} different)")
        print(f"same_story  {score(half, predicted)}  {per_pair:.0f} us/pair")
        print(f"            {false_links(half, predicted)}")
        if args.show_errors == name:
            for pair, guess in zip(half, predicted, strict=True):
                if guess != pair.same:
                    print(("FP " if guess else "FN ") + f"{pair.a[:60]} | {pair.b[:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
