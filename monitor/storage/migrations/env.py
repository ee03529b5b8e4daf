"""Alembic environment: runs on the connection handed over by monitor.storage.migrate.

There is no alembic.ini and no offline mode; open the database with
``monitor.storage.engine.open_database(url)`` and the migrations run to head.
"""

from __future__ import annotations

from alembic import context

from monitor.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through monitor.storage.engine.open_database(url)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=context.config.attributes.get("render_as_batch", connection.dialect.name == "sqlite"),
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
