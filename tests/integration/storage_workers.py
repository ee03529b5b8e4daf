"""Worker functions run in child processes by the storage integration tests (fork start method)."""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def run_parallel(
    target: Callable[..., Any], args_list: Sequence[tuple[Any, ...]], timeout: float = 60
) -> list[Any]:
    """Run ``target(barrier, *args)`` in one process per args tuple; return results in order.

    The barrier lines the workers up so they really collide. A worker's exception comes back as
    text and fails the test with the child's traceback.
    """
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(args_list))
    queue = ctx.Queue()

    def wrapper(index: int, args: tuple[Any, ...]) -> None:
        try:
            queue.put((index, "ok", target(barrier, *args)))
        except BaseException:
            queue.put((index, "error", traceback.format_exc()))

    procs = [ctx.Process(target=wrapper, args=(i, args)) for i, args in enumerate(args_list)]
    for proc in procs:
        proc.start()
    results: dict[int, Any] = {}
    errors: list[str] = []
    for _ in procs:
        index, status, value = queue.get(timeout=timeout)
        if status == "ok":
            results[index] = value
        else:
            errors.append(value)
    for proc in procs:
        proc.join(timeout=timeout)
    if errors:
        raise AssertionError("worker failed:\n" + "\n".join(errors))
    return [results[i] for i in range(len(procs))]


def open_for_worker(url: str) -> Any:
    from monitor.storage.engine import open_database

    return open_database(url)


def increment_counter(barrier: Any, url: str, rounds: int) -> int:
    """Read-then-write a shared counter: lost updates or "database is locked" show broken serialisation."""
    from monitor.storage.locks import xact_lock
    from monitor.storage.schema import daemon_state

    engine = open_for_worker(url)
    barrier.wait()
    for _ in range(rounds):
        with engine.begin() as conn:
            xact_lock(conn, "counter")  # no-op on SQLite, where BEGIN IMMEDIATE already serialises
            value = conn.execute(
                select(daemon_state.c.value).where(daemon_state.c.key == "counter")
            ).scalar_one()
            conn.execute(
                update(daemon_state)
                .where(daemon_state.c.key == "counter")
                .values(value={"n": value["n"] + 1})
            )
    engine.dispose()
    return rounds


def claim_all(barrier: Any, url: str, worker_id: str, limit: int) -> list[int]:
    from monitor.storage.sources_repo import claim_due_sources

    engine = open_for_worker(url)
    barrier.wait()
    claimed: list[int] = []
    while True:
        rows = claim_due_sources(engine, worker_id=worker_id, now=NOW, limit=limit, lease_s=600)
        if not rows:
            break
        claimed.extend(row.id for row in rows)
    engine.dispose()
    return claimed


def insert_same_mentions(barrier: Any, url: str, keys: list[str]) -> list[str]:
    """Insert every key, one transaction each; return the keys this process inserted first."""
    from monitor.storage.mentions_repo import insert_mention

    engine = open_for_worker(url)
    barrier.wait()
    won: list[str] = []
    for key in keys:
        with engine.begin() as conn:
            _, inserted = insert_mention(conn, mention_values(key))
        if inserted:
            won.append(key)
    engine.dispose()
    return won


def open_database_once(barrier: Any, url: str) -> str:
    from monitor.storage.migrate import current_revision

    barrier.wait()
    engine = open_for_worker(url)
    with engine.connect() as conn:
        revision = current_revision(conn) or ""
    engine.dispose()
    return revision


def sync_same_sources(barrier: Any, url: str, names: list[str]) -> int:
    from monitor.storage.sources_repo import SourceSpec, sync_sources

    engine = open_for_worker(url)
    specs = [
        SourceSpec(name=n, kind="rss", url=f"https://e.com/{n}", brands=("茶语",), interval_s=60)
        for n in names
    ]
    barrier.wait()
    for _ in range(5):
        with engine.begin() as conn:
            sync_sources(conn, specs, now=NOW)
    engine.dispose()
    return len(specs)


def mention_values(key: str, text: str = "茶语新品被曝光") -> dict[str, Any]:
    return {
        "brand": "茶语",
        "dedup_key": key,
        "story_key": key,
        "title": key,
        "text": text,
        "published_at": NOW,
        "fetched_at": NOW + timedelta(seconds=1),
    }
