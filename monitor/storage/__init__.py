"""Storage: one SQLAlchemy Core schema on SQLite (embedded default) or PostgreSQL.

Modules (import them directly; this package imports nothing, so ``brandguard check`` stays fast):

* ``schema``          the tables (shared contract; Alembic migrations must match it)
* ``engine``          ``open_database(url)``: pragmas, ``BEGIN IMMEDIATE``, migrations, ``StorageError``;
                      ``read_transaction(engine)`` for readers; ``check_integrity`` re-exported
* ``migrate``         programmatic Alembic upgrade under a cross-process lock
* ``integrity``       ``check_integrity(engine) -> list[str]``
* ``locks``           ``xact_lock(conn, name)``: serialise read-then-write on PostgreSQL
* ``times``           ``to_db`` / ``as_utc``: every stored time is UTC
* ``sources_repo``    sync from config, claim due sources, release after a fetch
* ``mentions_repo``   idempotent insert, near-duplicate lookup, listing, policy hand-off
"""
