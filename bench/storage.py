"""Storage benchmark: open/migrate time, mention inserts, source claims, on SQLite and PostgreSQL.

    .venv/bin/python bench/storage.py [--pg postgresql://postgres@127.0.0.1:5432/test]

PostgreSQL figures use a scratch database bg_bench_<random>, created through the --pg URL's server
and dropped afterwards; pass --pg '' to skip PostgreSQL.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.storage.engine import open_database
from monitor.storage.mentions_repo import insert_mention
from monitor.storage.sources_repo import SourceSpec, claim_due_sources, sync_sources

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def mention(i: int) -> dict[str, object]:
    return {
        "brand": "茶语",
        "dedup_key": f"k{i}",
        "story_key": f"s{i % 50}",
        "fingerprint": (i * 0x9E3779B97F4A7C15) % (1 << 64),
        "title": f"茶语新品第{i}条",
        "text": "茶语新品上市，网友投诉口味变差，多家媒体曝光。" * 4,
        "published_at": NOW - timedelta(seconds=i),
        "fetched_at": NOW,
        "label": "negative",
        "p_negative": 0.9,
        "risk_terms": ["投诉", "曝光"],
    }


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@contextmanager
def scratch_urls(pg: str) -> Iterator[list[tuple[str, Callable[[], str]]]]:
    import psycopg

    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1_000_000))
        urls: list[tuple[str, Callable[[], str]]] = [
            ("sqlite", lambda: f"sqlite:///{Path(tmp) / f'bench{next(counter)}.db'}")
        ]
        created: list[str] = []
        admin = None
        if pg:
            admin = psycopg.connect(pg.replace("postgresql://", "postgresql://", 1), autocommit=True)
            base = pg.rsplit("/", 1)[0]

            def new_pg() -> str:
                name = f"bg_bench_{uuid.uuid4().hex[:10]}"
                admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[union-attr]
                created.append(name)
                return f"{base}/{name}"

            urls.append(("postgres", new_pg))
        try:
            yield urls
        finally:
            for name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[union-attr]
            if admin is not None:
                admin.close()


def bench(backend: str, new_url: Callable[[], str]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    url = new_url()
    rows.append(
        (
            f"{backend}: first open (migrate empty db)",
            f"{timed(lambda: open_database(url).dispose()) * 1000:.0f} ms",
        )
    )
    warm = [timed(lambda: open_database(url).dispose()) for _ in range(5)]
    rows.append(
        (f"{backend}: open already-migrated db (median of 5)", f"{statistics.median(warm) * 1000:.1f} ms")
    )

    engine = open_database(url)
    n = 2000

    def one_txn() -> None:
        with engine.begin() as conn:
            for i in range(n):
                insert_mention(conn, mention(i))

    secs = timed(one_txn)
    rows.append((f"{backend}: insert_mention, {n} in one transaction", f"{n / secs:,.0f} rows/s"))
    secs = timed(one_txn)  # all duplicates now
    rows.append((f"{backend}: insert_mention duplicates (ON CONFLICT path)", f"{n / secs:,.0f} rows/s"))
    m = 300

    def per_txn() -> None:
        for i in range(n, n + m):
            with engine.begin() as conn:
                insert_mention(conn, mention(i))

    secs = timed(per_txn)
    rows.append((f"{backend}: insert_mention, one transaction each ({m})", f"{m / secs:,.0f} txn/s"))

    specs = [SourceSpec(f"s{i}", "rss", f"https://e.com/{i}", ("茶语",), 900) for i in range(1000)]
    secs = timed(lambda: _sync(engine, specs))
    rows.append((f"{backend}: sync_sources, 1000 new sources", f"{secs * 1000:.0f} ms"))

    def claim_all() -> int:
        total = 0
        while batch := claim_due_sources(engine, worker_id="bench", now=NOW, limit=10, lease_s=600):
            total += len(batch)
        return total

    secs = timed(claim_all)
    rows.append(
        (f"{backend}: claim_due_sources, 1000 sources in batches of 10", f"{1000 / secs:,.0f} claims/s")
    )
    engine.dispose()
    return rows


def _sync(engine: object, specs: list[SourceSpec]) -> None:
    with engine.begin() as conn:  # type: ignore[attr-defined]
        sync_sources(conn, specs, now=NOW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    results: list[tuple[str, str]] = []
    with scratch_urls(args.pg) as urls:
        for backend, new_url in urls:
            results.extend(bench(backend, new_url))
    print("| measurement | result |\n|---|---|")
    for name, value in results:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
