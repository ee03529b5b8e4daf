"""Open the database: SQLite (embedded default) or PostgreSQL, migrated to the newest schema.

SQLite is tuned for one daemon plus CLI and web processes writing the same file:

* WAL with ``synchronous=NORMAL``: readers never block the writer, and a kill -9 loses at most the last
  committed transactions, never consistency (FIELD-NOTES.md).
* ``BEGIN IMMEDIATE`` for every transaction: pysqlite's default ``BEGIN`` is deferred, so two processes
  could both read, then both try to write, and one fails with "database is locked" (or worse, acts on
  stale state). Taking the write lock at BEGIN makes writers queue on ``busy_timeout`` instead.
  Pure readers can opt out with ``monitor.storage.transactions.read_transaction``.

PostgreSQL URLs are mapped to the psycopg 3 driver, sessions run in UTC, and pooled connections are
pre-pinged so a restarted server does not break a long-running daemon.

Driver ``OperationalError``s (cannot connect, disk full, locked, connection lost) become
``monitor.errors.StorageError`` with one line that never contains the URL's password.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.engine.interfaces import ExceptionContext
from sqlalchemy.pool import StaticPool

from monitor.errors import StorageError
from monitor.storage.transactions import (
    POLL_LOCK_OPTION,
    READ_ONLY_OPTION,
    SQLITE_BUSY_TIMEOUT_S,
    begin_polling,
)

__all__ = ["mask_url", "open_database", "parse_database_url"]

# Driver names we map to psycopg 3; "postgres://" is what Heroku-style environments hand out.
_PG_ALIASES = {"postgres", "postgresql", "postgresql+psycopg"}


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """Create an engine for ``url`` and (by default) migrate the schema to head.

    Raises StorageError for a malformed URL, an unknown driver, an unreachable server or a failed
    migration; the message names the URL with its password masked.
    """
    parsed = parse_database_url(url)
    masked = mask_url(url)  # as the user wrote it, not with the driver we substituted
    try:
        engine = _create_engine(parsed)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError, ValueError) as error:
        raise StorageError(f"cannot open database {masked}: {_one_line(error, parsed)}") from error
    _install_error_translation(engine, parsed, masked)
    try:
        if migrate:
            from monitor.storage.migrate import upgrade_to_head

            upgrade_to_head(engine)
        else:
            # Fail now, with a clear message, rather than at the first query deep inside a command.
            with engine.connect():
                pass
    except StorageError:
        engine.dispose()
        raise
    except exc.SQLAlchemyError as error:
        engine.dispose()
        raise StorageError(f"cannot open database {masked}: {_one_line(error, parsed)}") from error
    return engine


def parse_database_url(url: str) -> URL:
    """Parse ``url`` and pin PostgreSQL to psycopg 3; raise StorageError if it is not a URL."""
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError) as error:
        # The message of ArgumentError repeats the URL; mask it ourselves.
        raise StorageError(
            f"invalid database URL {_mask_text(url)!r}: expected e.g. sqlite:///path.db "
            "or postgresql://user@host/db"
        ) from error
    if parsed.drivername in _PG_ALIASES:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def mask_url(url: str | URL) -> str:
    """The URL as text with the password replaced by ``***``; safe for logs and error messages."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (exc.ArgumentError, ValueError):
        return _mask_text(url)


def _create_engine(url: URL) -> Engine:
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _create_sqlite_engine(url)
    if backend == "postgresql":
        if importlib.util.find_spec("psycopg") is None:
            # psycopg is the `postgres` extra: SQLite users do not install a PostgreSQL driver.
            raise ValueError("PostgreSQL support is not installed: pip install 'brandguard[postgres]'")
        connect_args: dict[str, Any] = {}
        if "options" not in url.query:
            # Sessions in UTC: timestamptz values come back in UTC, and date_trunc & co. agree with us.
            connect_args["options"] = "-c timezone=UTC"
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    raise ValueError(f"unsupported database backend {backend!r} (use sqlite or postgresql)")


def _create_sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in str(url.query)
    kwargs: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    if not in_memory and not database.startswith("file:") and Path(database).parent.is_dir():
        # Created 0600 before SQLite opens it: SQLite gives -wal/-shm the database file's mode.
        from monitor.storage.files import create_private_file

        create_private_file(Path(database))
    if in_memory:
        # One shared connection, otherwise every pooled connection would see its own empty database.
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"]["check_same_thread"] = False
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite (it would emit its own deferred BEGIN and
        # autocommit DDL); SQLAlchemy's "begin" event below emits the BEGIN we want.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
            if not in_memory:
                _enable_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")
        elif options.get(POLL_LOCK_OPTION):
            begin_polling(conn, options[POLL_LOCK_OPTION])
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


_WAL_ATTEMPTS = 100
_WAL_RETRY_S = 0.05


def _enable_wal(cursor: Any) -> None:
    """Switch a new database file to WAL (the mode is stored in the file, so later opens skip this).

    Changing the journal mode needs an exclusive lock, and SQLite answers "database is locked" at once,
    without its busy handler, when another process holds a read lock on the file -- as happens when
    several processes open a brand-new database together. Retry for a few seconds instead of failing.
    """
    import sqlite3
    import time

    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    for attempt in range(_WAL_ATTEMPTS):
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == _WAL_ATTEMPTS - 1:
                raise
            time.sleep(_WAL_RETRY_S)


# Environmental failures: locked, disk full, connection lost, corrupt file. IntegrityError,
# ProgrammingError & co. are bugs or expected conflicts and stay SQLAlchemy errors.
_ENVIRONMENT_ERRORS = (exc.OperationalError, exc.DatabaseError)


def _install_error_translation(engine: Engine, url: URL, masked: str) -> None:
    @event.listens_for(engine, "handle_error")
    def _translate(context: ExceptionContext) -> None:
        # Pre-ping must see the driver error to decide "reconnect"; raising ours would break that.
        if context.is_pre_ping:
            return
        if type(context.sqlalchemy_exception) in _ENVIRONMENT_ERRORS:
            original = context.original_exception
            raise StorageError(f"database {masked}: {_one_line(original, url)}") from original


def _one_line(error: BaseException, url: URL) -> str:
    """First line of a driver message, with the password scrubbed in case the driver echoed it."""
    orig = getattr(error, "orig", None)
    text = str(orig if orig is not None else error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    # Very short passwords would mask random letters; drivers do not echo them anyway.
    if url.password and len(str(url.password)) >= 4:
        line = line.replace(str(url.password), "***")
    return line


def _mask_text(text: str) -> str:
    """Mask ``user:password@`` in a string we could not parse as a URL."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return text
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
