"""Storage: one SQLAlchemy Core schema on SQLite (embedded default) or PostgreSQL.

Modules (import them directly; this package imports nothing, so ``brandguard check`` stays fast):

* ``schema``          the tables (shared contract; Alembic migrations must match it)
* ``engine``          ``open_database(url)``: pragmas, ``BEGIN IMMEDIATE``, migrations, ``StorageError``
* ``transactions``    ``read_transaction(engine)`` for readers, ``polling_write_transaction`` (below engine,
                      migrate and integrity, so none of them imports another)
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
* ``incidents_repo``  incidents: open/attach/transition, story candidates, board and listings
* ``deadline_events_repo`` the clock's reminders, escalations and breaches: plan, claim, fire exactly once
* ``outbox_repo``     the durable outbox and ``channel_state``: enqueue, claim with a lease, record outcomes
* ``probe``           ``ping(engine)``: one ``SELECT 1`` for health checks
"""
