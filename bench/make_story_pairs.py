"""Write bench/data/story_pairs*.jsonl from bench/data/story_events*.toml (deterministic, seed 15).

Each title is wrapped in one of the headline templates outlets and reposts use (【突发】, 热搜：, 转发 ...)
so that different stories share template text, as the issue's 47 folded stories did. Pairs:
every two wordings of one event (same story) and every two wordings of different events of one
brand (different story), both sides wrapped independently.

    .venv/bin/python bench/make_story_pairs.py
"""

from __future__ import annotations

import itertools
import json
import random
import tomllib
from pathlib import Path

HERE = Path(__file__).parent / "data"
TEMPLATES = [
    "{t}",
    "【突发】{t}",
    "热搜：{t}",
    "转发：{t}",
    "#{b}# {t}",
    "网传{t}",
    "{t}（视频）",
    "最新！{t}",
]


def main() -> None:
    for name in ("story_events", "story_events_heldout"):
        write_pairs(name, name.replace("events", "pairs"))


def write_pairs(source: str, target: str) -> None:
    events = tomllib.loads((HERE / f"{source}.toml").read_text(encoding="utf-8"))["events"]
    rng = random.Random(15)

    def wrap(title: str, brand: str) -> str:
        return rng.choice(TEMPLATES).format(t=title, b=brand)

    rows = []
    for event in events:
        for a, b in itertools.combinations(event["titles"], 2):
            rows.append(
                {
                    "brand": event["brand"],
                    "a": wrap(a, event["brand"]),
                    "b": wrap(b, event["brand"]),
                    "same": True,
                    "events": [event["id"], event["id"]],
                }
            )
    for e1, e2 in itertools.combinations(events, 2):
        if e1["brand"] != e2["brand"]:
            continue
        for a, b in itertools.product(e1["titles"], e2["titles"]):
            rows.append(
                {
                    "brand": e1["brand"],
                    "a": wrap(a, e1["brand"]),
                    "b": wrap(b, e1["brand"]),
                    "same": False,
                    "events": [e1["id"], e2["id"]],
                }
            )
    with (HERE / f"{target}.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    same = sum(r["same"] for r in rows)
    print(f"{target}: {len(rows)} pairs: {same} same story, {len(rows) - same} different story")


if __name__ == "__main__":
    main()
