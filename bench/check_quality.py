"""How well ``rules.check`` does on text nobody here wrote.

    .venv/bin/python bench/check_quality.py [--industry all|NAME,...] [--show-misses] [--show-flagged]
    .venv/bin/python bench/check_quality.py --cases [--only NAME]      # the in-repo case files (old mode)

Three measurements, each on real text (provenance in bench/data/check_quality/README.md):

- recall on ad copy quoted in published market-regulation enforcement decisions and typical cases
  (``cases.jsonl``): an item counts as caught when the check reports at least one finding at error or
  warning level anywhere in it; reported per category;
- the share of real, clean marketing sentences (``clean.jsonl``) with any error or warning finding;
- findings (error + warning) per 1,000 news headlines, on the first 10,000 headlines of
  /work/shared/data/sentiment/news_headlines.csv (read from there, never copied into the repo).

``--industry`` switches on industry packs (rules/packs/industry/*.toml) on top of the default packs, as
a team selling such products would; without it only the default packs run.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "check_quality"
CASE_DIR = ROOT / "tests" / "rules" / "cases"
HEADLINES = Path("/work/shared/data/sentiment/news_headlines.csv")
HEADLINE_COUNT = 10_000
FLAGGING = ("error", "warning")


def _load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _packs(industry: str | None) -> Any:
    """The packs to check with: the defaults, plus the named industry packs when asked for."""
    if not industry:
        return None
    from rules.rulepack import default_packs, industry_packs

    names = None if industry == "all" else tuple(n for n in industry.split(",") if n)
    return default_packs() + industry_packs(names)


def _flagging(text: str, packs: Any) -> list[Any]:
    import rules

    return [f for f in rules.check(text, packs=packs).findings if f.severity in FLAGGING]


def _headlines(limit: int) -> list[str]:
    with HEADLINES.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh)
        return [row["text"] for _, row in zip(range(limit), rows, strict=False)]


def evaluate(args: argparse.Namespace) -> None:
    packs = _packs(args.industry)
    cases = _load_jsonl(DATA / "cases.jsonl")
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    for case in cases:
        total[case["category"]] += 1
        if _flagging(case["text"], packs):
            caught[case["category"]] += 1
        else:
            misses.append(case)
    print(f"enforcement-case items: {len(cases)} (industry packs: {args.industry or 'none'})")
    print("| category | items | caught | recall |")
    print("|---|---:|---:|---:|")
    for category, n in sorted(total.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"| {category} | {n} | {caught[category]} | {caught[category] / n:.2f} |")
    all_caught = sum(caught.values())
    print(f"| **all** | {len(cases)} | {all_caught} | {all_caught / len(cases):.3f} |")
    if args.show_misses:
        for case in misses:
            print(f"  MISS {case['id']} [{case['category']}] {case['text']}")

    clean = _load_jsonl(DATA / "clean.jsonl")
    flagged = [(c, found) for c in clean if (found := _flagging(c["text"], packs))]
    print(
        f"\nclean marketing sentences flagged at error/warning: {len(flagged)}/{len(clean)} "
        f"= {len(flagged) / len(clean):.1%}"
    )
    if args.show_flagged:
        for c, found in flagged:
            print(f"  FLAG {c['id']} {c['text']}  <- {[(f.rule_id, f.text) for f in found]}")

    if HEADLINES.exists():
        heads = _headlines(HEADLINE_COUNT)
        started = time.perf_counter()
        per_head = [_flagging(h, packs) for h in heads]
        elapsed = time.perf_counter() - started
        n_findings = sum(len(f) for f in per_head)
        n_flagged = sum(1 for f in per_head if f)
        print(
            f"\nnews headlines: {len(heads)}; findings (error+warning): {n_findings} = "
            f"{1000 * n_findings / len(heads):.1f} per 1,000 headlines; headlines flagged: "
            f"{n_flagged} ({n_flagged / len(heads):.1%}); {elapsed:.2f} s"
        )
        if args.show_flagged:
            by_rule = Counter(f.rule_id for found in per_head for f in found)
            by_text = Counter(f.text for found in per_head for f in found)
            print("  by rule:", by_rule.most_common())
            print("  most frequent texts:", by_text.most_common(25))
    else:
        print(f"\nnews headlines: {HEADLINES} not found; skipped")


def score_case_files(only: str | None) -> None:
    """The in-repo case files: exact (rule_id, text, severity) matches, as before this set existed."""
    import rules

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    cases = clean_cases = clean_flagged = 0
    for path in sorted(CASE_DIR.glob("*.toml")):
        if only and path.stem != only:
            continue
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            cases += 1
            expected = {(e["rule_id"], e["text"], e["severity"]) for e in case["expect"]}
            got = {(f.rule_id, f.text, f.severity) for f in rules.check(case["text"]).findings}
            want = {e for e in expected if e[2] != "info"}
            have = {g for g in got if g[2] != "info"}
            for item in want & have:
                tp[item[0].split(".")[0]] += 1
            for item in have - want:
                fp[item[0].split(".")[0]] += 1
            for item in want - have:
                fn[item[0].split(".")[0]] += 1
            if not want:
                clean_cases += 1
                clean_flagged += bool(have)
    print(f"cases: {cases}")
    print("| category | TP | FP | FN |")
    print("|---|---:|---:|---:|")
    for category in sorted(set(tp) | set(fp) | set(fn)):
        print(f"| {category} | {tp[category]} | {fp[category]} | {fn[category]} |")
    print(f"must-stay-clean cases flagged at error/warning: {clean_flagged}/{clean_cases}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--industry", help="industry packs to switch on: 'all' or comma-separated names")
    parser.add_argument("--show-misses", action="store_true", help="list enforcement items not caught")
    parser.add_argument("--show-flagged", action="store_true", help="list flagged clean sentences")
    parser.add_argument("--cases", action="store_true", help="score tests/rules/cases/*.toml instead")
    parser.add_argument("--only", help="with --cases: one case file stem (e.g. realistic)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.cases:
        score_case_files(args.only)
    else:
        evaluate(args)


if __name__ == "__main__":
    main()
