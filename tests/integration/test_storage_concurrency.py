"""Several processes on one database: writers serialise, claims never overlap, inserts stay idempotent."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from monitor.storage.schema import daemon_state, mentions
from monitor.storage.sources_repo import SourceSpec, sync_sources
from tests.integration.storage_workers import (
    NOW,
    claim_all,
    increment_counter,
    insert_same_mentions,
    open_database_once,
    run_parallel,
    sync_same_sources,
)

pytestmark = pytest.mark.integration


def test_parallel_read_then_write_transactions_serialise(engine: Engine, db_url: str) -> None:
    """4 processes x 25 read-modify-write transactions: no lost update, no "database is locked"."""
    with engine.begin() as conn:
        conn.execute(daemon_state.insert().values(key="counter", value={"n": 0}, updated_at=NOW))
    run_parallel(increment_counter, [(db_url, 25)] * 4)
    with engine.connect() as conn:
        final = conn.execute(select(daemon_state.c.value).where(daemon_state.c.key == "counter")).scalar_one()
    assert final == {"n": 100}


@pytest.mark.parametrize("workers", [2, 4])
def test_each_due_source_is_claimed_by_exactly_one_worker(engine: Engine, db_url: str, workers: int) -> None:
    specs = [
        SourceSpec(name=f"s{i:03d}", kind="rss", url=f"https://e.com/{i}", brands=("茶语",), interval_s=60)
        for i in range(120)
    ]
    with engine.begin() as conn:
        sync_sources(conn, specs, now=NOW)
    results = run_parallel(claim_all, [(db_url, f"worker-{i}", 3) for i in range(workers)])
    claims = Counter(source_id for claimed in results for source_id in claimed)
    assert sorted(claims) == list(range(1, 121))
    assert set(claims.values()) == {1}, "a source was claimed twice"


def test_concurrent_inserts_of_the_same_mentions_keep_one_row(engine: Engine, db_url: str) -> None:
    keys = [f"k{i}" for i in range(40)]
    won_a, won_b = run_parallel(insert_same_mentions, [(db_url, keys), (db_url, list(reversed(keys)))])
    assert sorted(won_a + won_b) == sorted(keys)  # every key inserted exactly once, by one process
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(mentions)).scalar_one() == 40


def test_concurrent_first_opens_migrate_once(request: pytest.FixtureRequest, db_url: str) -> None:
    url = request.getfixturevalue("pg_empty_url") if db_url.startswith("postgresql") else db_url
    revisions = run_parallel(open_database_once, [(url,)] * 4)
    assert len(set(revisions)) == 1 and revisions[0]


def test_daemons_starting_together_sync_sources_without_conflict(engine: Engine, db_url: str) -> None:
    from monitor.storage.sources_repo import list_sources

    names = [f"src-{i}" for i in range(30)]
    run_parallel(sync_same_sources, [(db_url, names)] * 3)
    with engine.connect() as conn:
        assert sorted(row.name for row in list_sources(conn)) == sorted(names)
