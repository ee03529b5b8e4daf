"""``polling_write_transaction``: the SQLite write lock taken by polling, with the usual timeout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from monitor.errors import StorageError
from monitor.storage.engine import open_database
from monitor.storage.schema import daemon_state
from monitor.storage.times import to_db
from monitor.storage.transactions import polling_write_transaction, read_transaction

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _busy_timeout(raw: object) -> int:
    return int(raw.execute("PRAGMA busy_timeout").fetchone()[0])  # type: ignore[attr-defined]


def test_polling_write_transaction_commits_and_rolls_back(engine: Engine) -> None:
    with polling_write_transaction(engine) as conn:
        conn.execute(daemon_state.insert().values(key="kept", value={}, updated_at=to_db(NOW)))
    with pytest.raises(RuntimeError), polling_write_transaction(engine) as conn:
        conn.execute(daemon_state.insert().values(key="dropped", value={}, updated_at=to_db(NOW)))
        raise RuntimeError("the change failed")
    with read_transaction(engine) as conn:
        assert conn.execute(select(daemon_state.c.key)).scalars().all() == ["kept"]


def test_polling_write_transaction_holds_the_sqlite_write_lock(sqlite_url: str) -> None:
    import sqlite3

    engine = open_database(sqlite_url)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    try:
        with polling_write_transaction(engine) as conn:
            conn.execute(text("SELECT 1"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000  # restored once locked
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.rollback()
    finally:
        other.close()
        engine.dispose()


def test_polling_write_transaction_waits_for_the_lock_then_succeeds(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3
    import threading
    import time

    engine = open_database(sqlite_url)
    polled = threading.Event()
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        polled.set()  # only the polling loop sleeps while this test runs
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute(
        "INSERT INTO daemon_state (key, value, updated_at)"
        " VALUES ('first', '{}', '2026-11-23 08:00:00.000000')"
    )
    outcome: dict[str, object] = {}

    def writer() -> None:
        try:
            with polling_write_transaction(engine) as conn:
                # the lock is ours only after the holder committed: its row is visible
                outcome["seen"] = conn.execute(select(daemon_state.c.key)).scalars().all()
                outcome["busy_timeout"] = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                conn.execute(daemon_state.insert().values(key="second", value={}, updated_at=to_db(NOW)))
        except BaseException as error:  # reported to the main thread below
            outcome["error"] = error

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert polled.wait(10), "the polling transaction never found the lock taken"
        assert thread.is_alive() and outcome == {}  # still waiting, nothing done
        holder.execute("COMMIT")
        thread.join(10)
        assert not thread.is_alive()
    finally:
        if holder.in_transaction:
            holder.rollback()
        holder.close()
        thread.join(10)
    try:
        assert "error" not in outcome, outcome.get("error")
        assert outcome == {"seen": ["first"], "busy_timeout": 30_000}
        with read_transaction(engine) as conn:
            assert conn.execute(select(daemon_state.c.key).order_by(daemon_state.c.key)).scalars().all() == [
                "first",
                "second",
            ]
    finally:
        engine.dispose()


def _give_up_on_a_held_lock(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[object]]:
    """Open an engine, let a polling transaction time out on a held lock; return the error message and
    the DBAPI connections checked out (the engine is left for the caller to dispose)."""
    import sqlite3

    from sqlalchemy import event

    from monitor.storage import transactions as transactions_module

    engine = open_database(sqlite_url)
    monkeypatch.setattr(transactions_module, "SQLITE_BUSY_TIMEOUT_S", 0.05)
    checked_out: list[object] = []
    event.listen(engine, "checkout", lambda dbapi, _record, _proxy: checked_out.append(dbapi))
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError) as info, polling_write_transaction(engine):
            pytest.fail("the lock was never free")
    finally:
        holder.rollback()
        holder.close()
    # The same engine works once the lock is free.
    with polling_write_transaction(engine) as conn:
        conn.execute(daemon_state.insert().values(key="after", value={}, updated_at=to_db(NOW)))
    checked_out.append(engine)
    return str(info.value), checked_out


def test_polling_write_transaction_gives_up_with_a_one_line_storage_error(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    message, checked_out = _give_up_on_a_held_lock(sqlite_url, monkeypatch)
    engine = checked_out.pop()
    assert isinstance(engine, Engine)
    try:
        assert "\n" not in message
        assert "database is locked" in message and "waited 0.05 s" in message
        with read_transaction(engine) as conn:
            assert conn.execute(select(daemon_state.c.key)).scalars().all() == ["after"]
    finally:
        engine.dispose()


def test_polling_write_transaction_restores_busy_timeout_after_giving_up(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _message, checked_out = _give_up_on_a_held_lock(sqlite_url, monkeypatch)
    engine = checked_out.pop()
    assert isinstance(engine, Engine)
    monkeypatch.undo()
    try:
        assert len(set(map(id, checked_out))) == 1  # one pooled connection did all of it
        assert _busy_timeout(checked_out[0]) == 30_000
    finally:
        engine.dispose()


def test_polling_write_transaction_keeps_a_connections_own_busy_timeout(sqlite_url: str) -> None:
    """A connection configured with another busy_timeout keeps it after a polling transaction."""
    import sqlite3

    from sqlalchemy import event

    engine = open_database(sqlite_url)
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _custom(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 1234")  # runs after the engine's own listener

    try:
        with polling_write_transaction(engine) as conn:
            conn.execute(text("SELECT 1"))
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    finally:
        engine.dispose()


def test_a_short_max_wait_gives_up_with_write_lock_busy(sqlite_url: str) -> None:
    import sqlite3

    from monitor.storage.transactions import WriteLockBusy

    engine = open_database(sqlite_url)
    blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with (
            pytest.raises(WriteLockBusy, match=r"waited 0\.01 s"),
            polling_write_transaction(engine, max_wait_s=0.01),
        ):
            pass
        blocker.execute("COMMIT")
        with polling_write_transaction(engine, max_wait_s=0.01) as conn:
            conn.execute(daemon_state.insert().values(key="later", value={}, updated_at=to_db(NOW)))
    finally:
        blocker.close()
        engine.dispose()
