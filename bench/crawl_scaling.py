"""Per-source database cost of a crawl as the number of sources grows (1,000 -> 50,000), on SQLite.

    .venv/bin/python bench/crawl_scaling.py [--sizes 1000 10000 50000] [--sample 300] [--items 20]

A full 50,000-feed poll takes too long on a shared two-core machine, and fetching and parsing cost the
same per feed whatever the number of feeds; what can grow with the number of sources is the database
work. So this fills a database as N feeds x 20 items would (N sources, 20 N stored mentions, a quarter of
them inside the 72-hour story window), then times, for a sample of sources, exactly the statements one
crawl runs: claim (batch of 10), the dedup lookup of 20 keys, the recent-fingerprint read for story
linking, 20 idempotent inserts, and the release of the claim; plus one tick's re-planning scan and the
back-pressure count. Flat milliseconds per source from 1,000 to 50,000 mean a linear total.
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
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def fill(engine: object, sources_n: int, items: int) -> None:
    from sqlalchemy import insert

    from monitor.storage.schema import mentions, sources
    from monitor.storage.times import to_db

    rng = random.Random(sources_n)
    with engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(
            insert(sources),
            [
                {
                    "name": f"feed{n}",
                    "kind": "rss",
                    "url": f"http://h/feed{n}.xml",
                    "brands": [],
                    "interval_s": 900,
                    "tz": "Asia/Shanghai",
                    "next_check_at": to_db(NOW),
                    "created_at": to_db(NOW),
                    "baseline_done": True,
                }
                for n in range(sources_n)
            ],
        )
        batch = []
        for n in range(sources_n):
            for i in range(items):
                # a quarter of the stored mentions are recent enough for story linking (72 h)
                age = timedelta(hours=rng.uniform(0, 72) if i % 4 == 0 else rng.uniform(80, 2000))
                batch.append(
                    {
                        "source_id": n + 1,
                        "brand": BRANDS[(n + i) % 4],
                        "dedup_key": f"k{n}-{i}",
                        "fingerprint": rng.getrandbits(63),
                        "story_key": f"s{n}-{i}",
                        "title": "t",
                        "text": "x",
                        "published_at": to_db(NOW - age),
                        "fetched_at": to_db(NOW),
                        "risk_terms": [],
                        "baseline": True,
                        "policy_done": True,
                    }
                )
            if len(batch) >= 50_000:
                conn.execute(insert(mentions), batch)
                batch = []
        if batch:
            conn.execute(insert(mentions), batch)


def one_source(engine: object, worker: str, items: int, seq: int, cache: object | None) -> dict[str, float]:
    from sqlalchemy import select

    from monitor.crawl.steps import STORY_WINDOW
    from monitor.storage.mentions_repo import insert_mention, recent_fingerprints
    from monitor.storage.schema import mentions
    from monitor.storage.sources_repo import claim_due_sources, release_source

    times: dict[str, float] = {}
    t = time.perf_counter()
    claimed = claim_due_sources(engine, worker_id=worker, now=NOW, limit=10, lease_s=30)  # type: ignore[arg-type]
    times["claim (batch of 10)"] = time.perf_counter() - t
    source = claimed[0]
    keys = [f"new{seq}-{i}" for i in range(items)]
    with engine.begin() as conn:  # type: ignore[attr-defined]
        t = time.perf_counter()
        list(
            conn.execute(
                select(mentions.c.brand, mentions.c.dedup_key).where(
                    mentions.c.brand.in_(BRANDS), mentions.c.dedup_key.in_(keys)
                )
            )
        )
        times["dedup lookup"] = time.perf_counter() - t
        t = time.perf_counter()
        for brand in BRANDS:
            if cache is None:
                recent_fingerprints(conn, brand, since=NOW - STORY_WINDOW)
            else:
                cache.get(conn, brand, NOW)  # type: ignore[attr-defined]
        times["recent fingerprints"] = time.perf_counter() - t
        t = time.perf_counter()
        for i, key in enumerate(keys):
            insert_mention(
                conn,
                {
                    "source_id": source.id,
                    "brand": BRANDS[i % 4],
                    "dedup_key": key,
                    "fingerprint": i + 1,
                    "story_key": key,
                    "title": "t",
                    "text": "x",
                    "published_at": NOW,
                    "fetched_at": NOW,
                    "risk_terms": [],
                    "baseline": False,
                    "policy_done": True,
                },
            )
        release_source(conn, source.id, worker_id=worker, next_check_at=NOW + timedelta(hours=1))
        times["insert 20 + release"] = time.perf_counter() - t
    with engine.begin() as conn:  # type: ignore[attr-defined]
        for other in claimed[1:]:
            release_source(conn, other.id, worker_id=worker, next_check_at=NOW)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--sample", type=int, default=300, help="sources timed per size")
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--cache", action="store_true", help="story linking through the per-daemon cache")
    args = parser.parse_args()

    from monitor.crawl.daemon import rebase_skewed_schedules
    from monitor.storage.backlog_repo import read_backlog
    from monitor.storage.engine import open_database

    print(f"items/feed={args.items}, {args.sample} sources timed per size; median ms per source")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            engine = open_database(f"sqlite:///{tmp}/scale.db")
            fill(engine, size, args.items)
            cache = None
            if args.cache:
                from monitor.crawl.story_cache import StoryCache

                cache = StoryCache()
            samples = [one_source(engine, "bench", args.items, s, cache) for s in range(args.sample)]
            t = time.perf_counter()
            rebase_skewed_schedules(engine, NOW, random.Random(1))
            rebase_ms = (time.perf_counter() - t) * 1000
            with engine.connect() as conn:
                t = time.perf_counter()
                read_backlog(conn)
                backlog_ms = (time.perf_counter() - t) * 1000
            engine.dispose()
        parts = {k: statistics.median(s[k] for s in samples) * 1000 for k in samples[0]}
        total = sum(parts.values())
        detail = ", ".join(f"{k} {v:.2f}" for k, v in parts.items())
        print(
            f"sources={size:6d}: {total:6.2f} ms/source ({detail}); "
            f"per tick: re-plan scan {rebase_ms:.0f} ms, backlog count {backlog_ms:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
