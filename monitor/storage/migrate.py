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
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from monitor.storage.transactions import read_transaction

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in migrations/versions. Pinned here so that opening an up-to-date database needs
# neither Alembic's import (~0.1 s) nor parsing the migration scripts: `brandguard check` records each
# check in the compliance log and must stay fast. test_migrations fails if this falls behind the scripts.
HEAD_REVISION = "0001"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Arbitrary but fixed 64-bit key, shared by every BrandGuard process on a database.
_PG_MIGRATION_LOCK_KEY = 0x42_72_61_6E_64_47_64  # "BrandGd"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    # ConfigParser interpolates "%": escape it in case the install path contains one.
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _stored_revision(connection: Connection) -> str | None:
    """The revision recorded in alembic_version by plain SQL; None for a new or unreadable database."""
    if not inspect(connection).has_table("alembic_version"):
        return None  # a new database
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def _missing_tables(connection: Connection) -> list[str]:
    """Tables of schema.py a database at the head revision lacks: until the first release the schema is
    one initial revision that grows, so a database created by an earlier build of it gets the newer
    tables (e.g. the briefing rollups) added here. Additive only; a changed column still needs a rebuild."""
    from monitor.storage.schema import metadata

    present = set(inspect(connection).get_table_names())
    return [name for name in metadata.tables if name not in present]


def upgrade_to_head(engine: Engine) -> None:
    # Fast path without the write lock or Alembic: most opens find the schema already current.
    with read_transaction(engine) as conn:
        if _stored_revision(conn) == HEAD_REVISION and not _missing_tables(conn):
            return
    from alembic import command

    head = head_revision()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK_KEY})
        # Re-check under the lock: another process may have migrated while we waited.
        if current_revision(conn) != head:
            command.upgrade(alembic_config(conn), "head")
        missing = _missing_tables(conn)
        if missing:
            from monitor.storage.schema import metadata

            metadata.create_all(conn, tables=[metadata.tables[name] for name in missing])
