"""The daemon accumulates the fetch-latency histogram for /metrics, across ticks and daemons."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from monitor.crawl.daemon import record_fetch_latency
from monitor.crawl.latency import BUCKETS, FETCH_LATENCY_KEY, from_state
from monitor.storage.schema import daemon_state
from monitor.storage.times import as_utc

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _row(engine: Engine) -> tuple[object, datetime | None]:
    with engine.connect() as conn:
        query = select(daemon_state.c.value, daemon_state.c.updated_at).where(
            daemon_state.c.key == FETCH_LATENCY_KEY
        )
        row = conn.execute(query).one()
        return row.value, as_utc(row.updated_at)


def test_two_ticks_accumulate_counts_sum_and_buckets(engine: Engine) -> None:
    later = NOW + timedelta(seconds=15)
    record_fetch_latency(engine, [0.5, 1.5], NOW)
    record_fetch_latency(engine, [], later)  # a tick with nothing fetched changes nothing
    assert _row(engine)[1] == NOW
    record_fetch_latency(engine, [0.25, 45.0], later)
    value, updated_at = _row(engine)
    assert value == {
        "count": 4,
        "sum_s": 47.25,
        "last_s": 45.0,
        "buckets": {
            "0.05": 0,
            "0.1": 0,
            "0.25": 1,
            "0.5": 1,
            "1.0": 0,
            "2.5": 1,
            "5.0": 0,
            "10.0": 0,
            "30.0": 0,
            "+Inf": 1,
        },
    }
    assert updated_at == later


def test_a_row_written_before_buckets_keeps_its_count_in_inf(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(daemon_state).values(
                key=FETCH_LATENCY_KEY, value={"count": 3, "sum_s": 2.25, "last_s": 0.25}, updated_at=NOW
            )
        )
    record_fetch_latency(engine, [0.1], NOW)
    value, _ = _row(engine)
    assert isinstance(value, dict)
    assert value["count"] == 4 and value["sum_s"] == pytest.approx(2.35) and value["last_s"] == 0.1
    assert value["buckets"]["0.1"] == 1 and value["buckets"]["+Inf"] == 3


def test_concurrent_writers_lose_no_observation(engine: Engine) -> None:
    # Daemons sharing one database: the row lock (PostgreSQL) / BEGIN IMMEDIATE (SQLite) must serialise
    # the read-modify-write, or concurrent updates overwrite each other and counts go missing.
    record_fetch_latency(engine, [1.0], NOW)  # the row exists: the first-insert race is a separate case
    threads, rounds = 4, 25
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def write(seconds: float) -> None:
        try:
            start.wait()
            for _ in range(rounds):
                record_fetch_latency(engine, [seconds], NOW)
        except BaseException as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)

    workers = [threading.Thread(target=write, args=(BUCKETS[i],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    histogram = from_state(_row(engine)[0])
    assert histogram.count == 1 + threads * rounds
    assert histogram.counts[:threads] == (rounds,) * threads
    assert histogram.counts[BUCKETS.index(1.0)] == 1
