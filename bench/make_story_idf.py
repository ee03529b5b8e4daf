"""Write alerts/story_idf.tsv: inverse document frequency of headline features, for story linking.

Reads the THUCNews headline subset (20,000 headlines, 10 topics) from the shared data directory and
never copies it: only the derived weights are shipped. A feature is a Chinese character, a pair of
adjacent Chinese characters or a Latin/digit run (``alerts.story_text.features``); features seen in
fewer than three headlines are left out (the linker gives unknown features the weight of a rare one).

    .venv/bin/python bench/make_story_idf.py [PATH_TO_news_headlines.csv]
"""

from __future__ import annotations

import csv
import math
import sys
from collections import Counter
from pathlib import Path

from alerts.story_text import IDF_PATH, features

SOURCE = Path("/work/shared/data/sentiment/news_headlines.csv")
MIN_DF = 3


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    try:
        with source.open(encoding="utf-8", newline="") as handle:
            headlines = [row["text"] for row in csv.DictReader(handle)]
    except (OSError, KeyError, UnicodeDecodeError) as exc:
        print(f"make_story_idf: cannot read {source}: {exc}", file=sys.stderr)
        return 2
    df: Counter[str] = Counter()
    for headline in headlines:
        df.update(features(headline))
    total = len(headlines)
    lines = [f"#documents\t{total}"]
    for feature, count in sorted(df.items()):
        if count >= MIN_DF and "\t" not in feature:
            lines.append(f"{feature}\t{math.log((total + 1) / (count + 1)) + 1:.2f}")
    IDF_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{IDF_PATH}: {len(lines) - 1} features from {total} headlines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
