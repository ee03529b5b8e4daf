"""Same-subject pairs of the Sohu 2021 same-event set, and their consensus with a second reading.

A PR team compares mentions of ONE brand or person, so the contest's many unrelated negatives say little
about the story linker. ``candidates`` keeps the pairs whose two sides name a common subject and writes
them WITHOUT the contest label, for a blind second reading; ``consensus`` joins that reading with the
contest label (which is noisy) and keeps the pairs on which both agree.

Same-subject rule: both sides share at least one jieba.posseg token of length >= 2 tagged nr (person),
ns (place), nt (organisation), nz (other proper noun) or eng (a Latin-letter name or brand).

Pairs are read, truncated to CHARS characters, de-duplicated and keyed (SHA-1 of ``a\\x00b``) exactly as
bench/story_linking_real.py does, so the ids written here select the same pairs there (``--ids``).
The corpus stays outside the repository; paths are given on the command line.

    .venv/bin/python bench/story_pairs_subject.py candidates PATH [PATH ...] --out FILE [--limit N]
    .venv/bin/python bench/story_pairs_subject.py consensus PATH [PATH ...] --labels FILE --out FILE
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jieba
import jieba.posseg as pseg
from story_linking_real import Pair, load, read_ids  # this directory: run as a script

SUBJECT_TAGS = frozenset({"nr", "ns", "nt", "nz", "eng"})
SUBJECT_MIN_LEN = 2


def subjects(text: str) -> set[str]:
    """Proper-noun tokens of the text (lower-cased so Latin brands match across case)."""
    return {
        w.word.lower()
        for w in pseg.cut(text)
        if w.flag in SUBJECT_TAGS and len(w.word.strip()) >= SUBJECT_MIN_LEN
    }


def same_subject(pair: Pair) -> bool:
    return bool(subjects(pair.a) & subjects(pair.b))


def _clean(text: str) -> str:
    # A TSV cell must not hold a tab or a line break; the id, not the text, is what is joined on.
    return " ".join(text.split())


def candidates(paths: list[Path], out: Path, limit: int) -> int:
    jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr
    pairs = load(*paths)
    kept: list[Pair] = []
    for pair in pairs:
        if same_subject(pair):
            kept.append(pair)
            if len(kept) >= limit:
                break
    with out.open("w", encoding="utf-8") as fh:
        for pair in kept:
            fh.write(f"{pair.key}\t{_clean(pair.a)}\t{_clean(pair.b)}\n")
    print(f"{len(pairs)} pairs read, {len(kept)} same-subject candidates written to {out}")
    return 0


def kappa(pairs: list[tuple[bool, bool]]) -> float:
    """Cohen's kappa of two binary raters."""
    n = len(pairs)
    if not n:
        return 0.0
    observed = sum(x == y for x, y in pairs) / n
    p1 = sum(x for x, _ in pairs) / n
    p2 = sum(y for _, y in pairs) / n
    expected = p1 * p2 + (1 - p1) * (1 - p2)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def consensus(paths: list[Path], labels_path: Path, out: Path) -> int:
    contest = {p.key: p.same for p in load(*paths)}
    mine = read_ids(labels_path)  # id, label, reason: the reason is for people
    missing = [k for k in mine if k not in contest]
    if missing:
        print(f"{len(missing)} labelled ids are not in the pairs, e.g. {missing[0]}", file=sys.stderr)
        return 2
    joined = [(key, mine[key], contest[key]) for key in sorted(mine)]
    both = [(m, c) for _, m, c in joined]
    agree = [(key, m) for key, m, c in joined if m == c]
    n = len(joined)
    print(f"labelled pairs        {n}")
    print(f"second-reading same   {sum(m for m, _ in both)}")
    print(f"contest same          {sum(c for _, c in both)}")
    print(f"raw agreement         {len(agree)} ({len(agree) / max(1, n):.1%})")
    print(f"Cohen's kappa         {kappa(both):.3f}")
    print("confusion (rows = second reading, columns = contest)")
    print("              contest 1  contest 0")
    for m in (True, False):
        row = [sum(1 for x, y in both if x == m and y == c) for c in (True, False)]
        print(f"  reading {int(m)}   {row[0]:9d}  {row[1]:9d}")
    with out.open("w", encoding="utf-8") as fh:
        fh.write(
            "# id\tlabel — consensus of the Sohu 2021 contest label (B, same event) and a blind second"
            " reading; texts stay in the public file\n"
        )
        for key, label in agree:
            fh.write(f"{key}\t{int(label)}\n")
    print(f"consensus             {len(agree)} pairs ({sum(m for _, m in agree)} same) written to {out}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cand = sub.add_parser("candidates", help="same-subject pairs, without the contest label")
    cand.add_argument("path", type=Path, nargs="+")
    cand.add_argument("--out", type=Path, required=True)
    cand.add_argument("--limit", type=int, default=600)
    cons = sub.add_parser("consensus", help="join a second reading with the contest labels")
    cons.add_argument("path", type=Path, nargs="+")
    cons.add_argument("--labels", type=Path, required=True)
    cons.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    try:
        if args.command == "candidates":
            return candidates(args.path, args.out, args.limit)
        return consensus(args.path, args.labels, args.out)
    except (OSError, ValueError, KeyError) as exc:  # JSONDecodeError is a ValueError
        print(f"story_pairs_subject: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
