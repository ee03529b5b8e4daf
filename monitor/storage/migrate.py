"""Run the Alembic migrations in ``monitor/storage/migrations`` to head, safely from several processes.

The Alembic configuration is built in code (no alembic.ini) and points at the migrations folder next
to this file, so it works from an installed wheel and from any working directory.

Concurrent first opens (daemon + CLI started together, several daemons on one PostgreSQL database)
must not both create tables: the whole upgrade runs inside one write transaction that first takes a
lock -- ``pg_advisory_xact_lock`` on PostgreSQL, ``BEGIN IMMEDIATE`` (see engine.py) on SQLite. The
second process waits, then finds the schema at head and does nothing. Both backends have
transactional DDL, so a failed migration leaves nothing half-applied.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from monitor.storage.engine import read_transaction

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Arbitrary but fixed 64-bit key, shared by every BrandGuard process on a database.
_PG_MIGRATION_LOCK_KEY = 0x42_72_61_6E_64_47_64  # "BrandGd"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    # ConfigParser interpolates "%": escape it in case the install path contains one.
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    head = head_revision()
    # Fast path without the write lock: most opens find the schema already current.
    with read_transaction(engine) as conn:
        if current_revision(conn) == head:
            return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK_KEY})
        # Re-check under the lock: another process may have migrated while we waited.
        if current_revision(conn) != head:
            command.upgrade(alembic_config(conn), "head")
