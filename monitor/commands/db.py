"""``brandguard db migrate``: bring the database schema to the current revision, then exit.

Every command migrates on open anyway; this is the explicit one-shot step for deployments (the
``migrate`` service in compose.yaml, ``ExecStartPre`` in a systemd unit), so that several daemons and
console workers starting together find the schema ready instead of queueing on the migration lock.
"""

from __future__ import annotations

import argparse

from monitor.context import Context


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("db", parents=parents, help="database maintenance (schema migration)")
    sub = p.add_subparsers(dest="db_command", metavar="SUBCOMMAND", parser_class=type(p))
    sub.required = True
    migrate = sub.add_parser(
        "migrate",
        parents=parents,
        help="migrate the schema to the current revision and exit",
        description="Open the database (BRANDGUARD_DATABASE_URL, [storage] url, or SQLite in --data-dir), "
        "apply pending migrations under a lock, print the revision, exit 0. Needs no channel secrets.",
    )
    migrate.set_defaults(handler=_migrate, read_only=True)
    rollup = sub.add_parser(
        "rollup",
        parents=parents,
        help="bring the briefing rollups up to date and exit",
        description="Fold every stored mention above the rollup's watermark into the hourly briefing "
        "rollups (the daemon does this every minute; a brief does it when far behind). Prints the "
        "watermark.",
    )
    rollup.set_defaults(handler=_rollup, read_only=True)


def _migrate(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.storage.engine import mask_url
    from monitor.storage.migrate import current_revision

    with ctx.engine.connect() as conn:  # opening the engine migrates (monitor.storage.engine)
        revision = current_revision(conn)
    print(f"database {mask_url(ctx.database_url())} at revision {revision}")
    return 0


def _rollup(args: argparse.Namespace, ctx: Context) -> int:
    from datetime import UTC, datetime

    from monitor.reports.rollup import lag, refresh_rollup

    moved = refresh_rollup(ctx.engine, datetime.now(UTC))
    print(f"brief rollup: {moved} mention ids folded in, {lag(ctx.engine)} waiting")
    return 0
