"""Storage: one SQLAlchemy Core schema on SQLite (embedded default) or PostgreSQL.

Modules (import them directly; this package imports nothing, so ``brandguard check`` stays fast):

* ``schema``          the tables (shared contract; Alembic migrations must match it)
* ``engine``          ``open_database(url)``: pragmas, ``BEGIN IMMEDIATE``, migrations, ``StorageError``;
                      ``read_transaction(engine)`` for readers; ``check_integrity`` re-exported
* ``migrate``         programmatic Alembic upgrade under a cross-process lock
* ``integrity``       ``check_integrity(engine) -> list[str]``
* ``locks``           ``xact_lock(conn, name)``: serialise read-then-write on PostgreSQL
* ``times``           ``to_db`` / ``as_utc``: every stored time is UTC
* ``sources_repo``    sync from config, claim due sources, release after a fetch, re-plan skewed ones
* ``mentions_repo``   idempotent insert, near-duplicate lookup, listing, policy hand-off
* ``daemon_state_repo`` small shared daemon state by key (fetch-latency histogram): locked read-modify-write
* ``reports_repo``    read-only figures counted in SQL: report day series, top incidents, /metrics, demo
* ``audit_repo``      the compliance log's tables (``audit_log``, ``audit_checkpoints``): writer lock, head,
                      multi-row insert (SQLite fast path on the driver connection), streamed and filtered
                      reads, purge delete, checkpoints; the chain itself is ``monitor.audit``'s
* ``users_repo``      console users and API tokens (hashes only): find, list, insert, disable, revoke
* ``probe``           ``ping(engine)``: one ``SELECT 1`` for health checks
"""
