"""Ingest benchmark: vendor / crawler mentions stored and scored through ``monitor.crawl.ingest``.

    .venv/bin/python bench/ingest.py [--rows 10000] [--runs 3] [--no-model] [--database URL]

Each run: a fresh SQLite database (or a throwaway PostgreSQL one with --database), a config with four
brands, ``rows`` JSONL-shaped objects (platform, id, text, author, followers, counts, published_at) of
which about nine in ten match a brand, imported in the CLI's batches. Reported: rows/s for the first
import (validate, match, dedup, score with the shipped sentiment model, store) and for a full retry of
the same rows (everything already stored), median of the runs. The alert policy is not included: it runs
after the import, as it does after a crawl.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BRANDS = ["星河手机", "青禾乳业", "云帆汽车", "木棉美妆"]
PHRASES = [
    "新品发布会现场人很多",
    "用户评价很好，回购了",
    "客服回复很慢，等了三天",
    "价格有点贵但是质量不错",
    "门店排队太久，体验很差",
    "被曝光使用过期原料，已投诉",
    "售后推诿不退款，太失望了",
]


def rows(n: int, now: datetime) -> list[dict[str, object]]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        brand = BRANDS[i % len(BRANDS)] if i % 10 else "别家品牌"
        text = f"{brand}{rng.choice(PHRASES)}，用户{rng.randrange(10**6)}说：{rng.choice(PHRASES)}#{i}"
        out.append(
            {
                "platform": rng.choice(["weibo", "xiaohongshu", "douyin"]),
                "id": f"{i:010d}",
                "text": text,
                "author": f"用户{rng.randrange(10**6)}",
                "followers": rng.randrange(100, 500_000),
                "reposts": rng.randrange(0, 2000),
                "comments": rng.randrange(0, 800),
                "likes": rng.randrange(0, 10_000),
                "published_at": (now - timedelta(seconds=rng.randrange(86_400))).isoformat(),
                "url": f"https://example.com/p/{i}",
            }
        )
    return out


def run_once(n: int, model: bool, database: str | None) -> tuple[float, float, int]:
    from monitor.config import BrandConfig, Config
    from monitor.crawl.ingest import Ingestor
    from monitor.crawl.pipeline import Score
    from monitor.crawl.steps import make_scorer
    from monitor.storage.engine import open_database

    now = datetime.now(UTC)
    data = rows(n, now)
    with tempfile.TemporaryDirectory() as tmp:
        url = database or f"sqlite:///{tmp}/bench.db"
        engine = open_database(url)
        config = Config(brands=tuple(BrandConfig(name=b, query=b) for b in BRANDS))

        def neutral(texts: object) -> list[Score]:
            return [Score(None, None, ()) for _ in texts]  # type: ignore[attr-defined]

        scorer = make_scorer() if model else neutral
        scorer(["预热"])  # load the model and jieba's dictionary outside the timing
        ingestor = Ingestor(engine, config, scorer)
        start = time.perf_counter()
        report = ingestor.ingest_objects(enumerate(data, start=1), now)
        first = time.perf_counter() - start
        start = time.perf_counter()
        again = ingestor.ingest_objects(enumerate(data, start=1), now)
        retry = time.perf_counter() - start
        assert again.stored == 0 and not report.errors
        engine.dispose()
    return n / first, n / retry, report.stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-model", action="store_true", help="skip sentiment scoring")
    parser.add_argument("--database", help="a PostgreSQL URL (default: a fresh SQLite file per run)")
    args = parser.parse_args()
    firsts, retries = [], []
    for run in range(args.runs):
        first, retry, stored = run_once(args.rows, not args.no_model, args.database)
        firsts.append(first)
        retries.append(retry)
        print(
            f"run {run + 1}: {args.rows} rows, {stored} stored: "
            f"{first:,.0f} rows/s first, {retry:,.0f} rows/s retry"
        )
    print(
        f"median: {statistics.median(firsts):,.0f} rows/s stored and scored; "
        f"{statistics.median(retries):,.0f} rows/s retry"
    )


if __name__ == "__main__":
    main()
