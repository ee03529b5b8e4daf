from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from monitor.errors import StorageError
from monitor.storage.engine import mask_url, open_database, parse_database_url
from monitor.storage.integrity import check_integrity
from monitor.storage.schema import daemon_state
from monitor.storage.times import as_utc, to_db
from monitor.storage.transactions import read_transaction


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg"),
        ("postgres://u:p@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg"),
        ("sqlite:////tmp/x.db", "sqlite"),
    ],
)
def test_postgres_urls_use_psycopg3(url: str, driver: str) -> None:
    assert parse_database_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://alice:hunter22@db.example/bg", "postgresql://alice:***@db.example/bg"),
        ("sqlite:////data/bg.db", "sqlite:////data/bg.db"),
        ("not a url://alice:hunter22@x", "not a url://alice:***@x"),
    ],
)
def test_mask_url_hides_password(url: str, expected: str) -> None:
    assert mask_url(url) == expected


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("nonsense", "invalid database URL"),
        ("mysql://alice:hunter22@localhost/db", "unsupported database backend"),
        ("oracle+nodriver://alice:hunter22@localhost/db", "cannot open database"),
        # Port 9 (discard) is closed on loopback: connection refused, quickly.
        ("postgresql://alice:hunter22@127.0.0.1:9/db", "Connection refused"),
    ],
)
def test_bad_urls_raise_storage_error_without_password(url: str, fragment: str) -> None:
    with pytest.raises(StorageError) as info:
        open_database(url)
    message = str(info.value)
    assert fragment in message
    assert "hunter22" not in message
    assert "\n" not in message


def test_missing_sqlite_directory_is_a_storage_error(tmp_path: object) -> None:
    with pytest.raises(StorageError, match="unable to open database file"):
        open_database(f"sqlite:///{tmp_path}/no/such/dir/bg.db")


def test_sqlite_pragmas_are_set_on_every_connection(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    try:
        for _ in range(2):
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
            engine.dispose()  # next round gets a brand-new DBAPI connection
    finally:
        engine.dispose()


def test_sqlite_write_transactions_begin_immediate(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    statements: list[str] = []
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
        with read_transaction(engine) as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert statements == ["BEGIN IMMEDIATE", "SELECT 1", "BEGIN", "SELECT 1"]


def test_sqlite_writer_lock_held_from_begin(sqlite_url: str) -> None:
    """A second writer cannot start while the first transaction is open (no stale read-then-write)."""
    import sqlite3

    engine = open_database(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
            other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
    finally:
        engine.dispose()


def test_locked_database_becomes_storage_error_and_engine_recovers(sqlite_url: str) -> None:
    import sqlite3

    from sqlalchemy import event

    engine = open_database(sqlite_url)
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _short_timeout(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 50")  # runs after ours: keep the test fast

    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for _ in range(2):  # the pooled connection stays usable after the error
            with pytest.raises(StorageError, match="database is locked"), engine.begin() as conn:
                conn.execute(text("SELECT 1"))
        holder.rollback()
        # The daemon catches StorageError and retries on its next tick: the same engine must work.
        with engine.begin() as conn:
            conn.execute(daemon_state.insert().values(key="after", value={}, updated_at=to_db(NOW)))
        with read_transaction(engine) as conn:
            assert conn.execute(select(daemon_state.c.key)).scalars().all() == ["after"]
    finally:
        holder.close()
        engine.dispose()


def test_open_without_migrate_does_not_create_tables(sqlite_url: str) -> None:
    engine = open_database(sqlite_url, migrate=False)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type='table'").scalar() == 0
    finally:
        engine.dispose()


def test_check_integrity_ok_after_open(engine: Engine) -> None:
    assert check_integrity(engine) == []


def test_check_integrity_reports_foreign_key_violation(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    try:
        # Bypass SQLAlchemy's transaction handling: the pragma only works outside a transaction.
        raw = engine.raw_connection()
        try:
            raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[attr-defined]
            raw.execute(  # type: ignore[attr-defined]
                "INSERT INTO deadline_events (incident_id, kind, due_at, skipped) "
                "VALUES (999, 'breach', '2026-01-01 00:00:00.000000', 0)"
            )
        finally:
            raw.close()
        problems = check_integrity(engine)
    finally:
        engine.dispose()
    assert any("foreign_key_check" in problem and "deadline_events" in problem for problem in problems)


SHANGHAI = timezone(timedelta(hours=8))


def test_times_round_trip_as_utc(engine: Engine) -> None:
    stamp = datetime(2026, 6, 10, 8, 30, 15, 123456, tzinfo=SHANGHAI)
    with engine.begin() as conn:
        conn.execute(daemon_state.insert().values(key="k", value={"a": 1}, updated_at=to_db(stamp)))
    with read_transaction(engine) as conn:
        stored = conn.execute(select(daemon_state.c.updated_at)).scalar_one()
        earlier = conn.execute(
            select(daemon_state.c.key).where(
                daemon_state.c.updated_at < to_db(stamp + timedelta(microseconds=1))
            )
        ).scalar_one_or_none()
    back = as_utc(stored)
    assert back == stamp
    assert back is not None and back.tzinfo == UTC and back.hour == 0
    assert earlier == "k"


def test_disk_full_becomes_storage_error_and_rolls_back(sqlite_url: str) -> None:
    import sqlite3

    from sqlalchemy import event, func

    engine = open_database(sqlite_url)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _tiny_disk(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {int(pages or 0) + 2}")  # simulates a full disk

    try:
        with pytest.raises(StorageError, match="database or disk is full"), engine.begin() as conn:
            for i in range(50):
                conn.execute(
                    daemon_state.insert().values(
                        key=f"k{i}", value={"blob": "x" * 10_000}, updated_at=to_db(NOW)
                    )
                )
        with read_transaction(engine) as conn:
            assert conn.execute(select(func.count()).select_from(daemon_state)).scalar_one() == 0
    finally:
        engine.dispose()


NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "notes.db"
    path.write_text("not a database, just notes\n" * 100)
    with pytest.raises(StorageError, match="file is not a database"):
        open_database(f"sqlite:///{path}")


def test_error_names_the_url_as_written() -> None:
    with pytest.raises(StorageError, match=r"^database postgresql://bob:\*\*\*@127\.0\.0\.1:9/x: "):
        open_database("postgresql://bob:topsecret@127.0.0.1:9/x")


def test_lock_keys_are_stable_signed_64_bit() -> None:
    from monitor.storage.locks import lock_key

    assert lock_key("audit_log") == lock_key("audit_log") != lock_key("sources.sync")
    # Pinned: processes of different versions must agree on the key.
    assert lock_key("sources.sync") == 1_471_527_733_527_569_978


def test_postgres_sessions_run_in_utc(pg_url: str) -> None:
    engine = open_database(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW timezone").scalar() == "UTC"
    finally:
        engine.dispose()


def test_postgres_engine_reconnects_after_server_drops_connections(pg_url: str) -> None:
    """Pre-ping must see the driver's disconnect error (not a StorageError) to replace the connection."""
    import psycopg

    engine = open_database(pg_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        dbname = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/test", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,)
            )
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 42")).scalar() == 42
    finally:
        engine.dispose()
