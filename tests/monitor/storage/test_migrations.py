"""The migrations must build exactly schema.py, on both backends; this test catches drift forever after."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from monitor.storage.engine import open_database
from monitor.storage.migrate import HEAD_REVISION, current_revision, head_revision
from monitor.storage.schema import metadata
from monitor.storage.transactions import read_transaction


def test_migrated_database_matches_schema(engine: Engine) -> None:
    with read_transaction(engine) as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        diff = compare_metadata(context, metadata)
    assert diff == [], (
        "monitor/storage/schema.py and the migrations differ; before the first release run "
        "`.venv/bin/python monitor/storage/migrations/regenerate_initial.py`, afterwards add a revision"
    )


def test_pinned_head_matches_the_migration_scripts() -> None:
    # The fast open path compares the stored revision with HEAD_REVISION; a new revision script must
    # move it, or databases would never be upgraded.
    assert head_revision() == HEAD_REVISION


def test_database_is_at_head(engine: Engine) -> None:
    with read_transaction(engine) as conn:
        assert current_revision(conn) == head_revision() is not None


def test_reopening_is_a_no_op(db_url: str) -> None:
    for _ in range(2):
        open_database(db_url).dispose()
    engine = open_database(db_url)
    try:
        with read_transaction(engine) as conn:
            assert current_revision(conn) == head_revision()
    finally:
        engine.dispose()


def test_migrations_work_from_another_directory(
    sqlite_url: str, tmp_path: object, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(str(tmp_path))
    engine = open_database(sqlite_url)
    try:
        with read_transaction(engine) as conn:
            assert current_revision(conn) == head_revision()
    finally:
        engine.dispose()


def test_drift_check_can_fail(engine: Engine) -> None:
    from sqlalchemy import Column, Integer, MetaData, Table

    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    Table("not_migrated", changed, Column("id", Integer, primary_key=True))
    with read_transaction(engine) as conn:
        diff = compare_metadata(MigrationContext.configure(conn), changed)
    assert [entry[0] for entry in diff] == ["add_table"]
