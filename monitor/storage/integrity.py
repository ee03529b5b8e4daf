"""Database health checks for ``brandguard doctor``-style commands and crash tests."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from monitor.storage.schema import metadata


def check_integrity(engine: Engine) -> list[str]:
    """Problems found, one line each; an empty list means the database is healthy."""
    from monitor.storage.transactions import read_transaction

    with read_transaction(engine) as conn:
        problems = _sqlite_checks(conn) if conn.dialect.name == "sqlite" else []
        problems.extend(_schema_checks(conn))
    return problems


def _sqlite_checks(conn: Connection) -> list[str]:
    problems = [
        f"integrity_check: {row[0]}"
        for row in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
        if row[0] != "ok"
    ]
    for table, rowid, parent, fk_index in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        problems.append(f"foreign_key_check: {table} row {rowid} references missing {parent} (fk {fk_index})")
    return problems


def _schema_checks(conn: Connection) -> list[str]:
    from monitor.storage.migrate import current_revision, head_revision

    problems: list[str] = []
    current, head = current_revision(conn), head_revision()
    if current != head:
        problems.append(f"schema revision is {current or 'none'}, expected {head}")
    existing = set(inspect(conn).get_table_names())
    for name in metadata.tables:
        if name not in existing:
            problems.append(f"table {name} is missing")
            continue
        # A cheap read of every table proves it is readable (PostgreSQL: no broken relfilenode).
        conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).fetchall()
    return problems
