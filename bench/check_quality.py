"""Precision and recall of ``rules.check`` per category over the case files in tests/rules/cases/.

    .venv/bin/python bench/check_quality.py [--only realistic]

A finding counts as a true positive when (rule_id, text, severity) equals an expected one; findings at
`info` level (documented exemptions) are scored separately. Cases marked `known_miss` are included, so
the figures show what the engine really misses. Note: most case files were written together with the
rules (in-sample); `realistic.toml` was written afterwards and is the closer thing to a held-out set.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE_DIR = ROOT / "tests" / "rules" / "cases"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="case file stem to score alone (e.g. realistic)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import rules

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    info_ok = info_total = 0
    clean_cases = clean_flagged = cases = 0
    for path in sorted(CASE_DIR.glob("*.toml")):
        if args.only and path.stem != args.only:
            continue
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            cases += 1
            findings = rules.check(case["text"]).findings
            expected = {(e["rule_id"], e["text"], e["severity"]) for e in case["expect"]}
            got = {(f.rule_id, f.text, f.severity) for f in findings}
            want = {e for e in expected if e[2] != "info"}
            have = {g for g in got if g[2] != "info"}
            for item in want & have:
                tp[item[0].split(".")[0]] += 1
            for item in have - want:
                fp[item[0].split(".")[0]] += 1
            for item in want - have:
                fn[item[0].split(".")[0]] += 1
            for item in expected - want:
                info_total += 1
                info_ok += item in got
            if not want:
                clean_cases += 1
                clean_flagged += bool(have)
    print(f"cases: {cases}")
    print("| category | TP | FP | FN | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    for category in ("ad_law", "pipl", "pii"):
        t, f, n = tp[category], fp[category], fn[category]
        precision = t / (t + f) if t + f else float("nan")
        recall = t / (t + n) if t + n else float("nan")
        print(f"| {category} | {t} | {f} | {n} | {precision:.3f} | {recall:.3f} |")
    t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"| all | {t} | {f} | {n} | {t / (t + f):.3f} | {t / (t + n):.3f} |")
    print(f"exemptions reported as info: {info_ok}/{info_total}")
    print(f"must-stay-clean cases flagged at error/warning: {clean_flagged}/{clean_cases}")


if __name__ == "__main__":
    main()
