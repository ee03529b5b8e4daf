"""Console sessions and failed logins: every SQL statement on ``web_sessions`` and ``login_failures``.

Only the SHA-256 of a session id is stored (like API tokens): a copy of the database does not hand
out live sessions. ``monitor.web.sessions`` owns the rules (lifetime, throttling) and the transactions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from monitor.storage.schema import login_failures, web_sessions
from monitor.storage.times import as_utc_required, to_db


def insert_session(
    conn: Connection, *, id_sha256: str, user_id: int, now: datetime, expires_at: datetime
) -> None:
    conn.execute(
        insert(web_sessions).values(
            id_sha256=id_sha256, user_id=user_id, created_at=to_db(now), expires_at=to_db(expires_at)
        )
    )


def live_session_user(conn: Connection, id_sha256: str, *, now: datetime) -> int | None:
    """The user of a session that has neither ended nor expired."""
    row = conn.execute(
        select(web_sessions.c.user_id).where(
            web_sessions.c.id_sha256 == id_sha256,
            web_sessions.c.ended_at.is_(None),
            web_sessions.c.expires_at > to_db(now),
        )
    ).first()
    return None if row is None else int(row[0])


def end_session(conn: Connection, id_sha256: str, *, now: datetime) -> int:
    return conn.execute(
        update(web_sessions)
        .where(web_sessions.c.id_sha256 == id_sha256, web_sessions.c.ended_at.is_(None))
        .values(ended_at=to_db(now))
    ).rowcount


def end_user_sessions(conn: Connection, user_id: int, *, now: datetime) -> int:
    return conn.execute(
        update(web_sessions)
        .where(web_sessions.c.user_id == user_id, web_sessions.c.ended_at.is_(None))
        .values(ended_at=to_db(now))
    ).rowcount


def delete_finished_sessions(conn: Connection, *, before: datetime) -> int:
    """Forget sessions that expired or ended before ``before``."""
    return conn.execute(
        delete(web_sessions).where(
            (web_sessions.c.expires_at < to_db(before)) | (web_sessions.c.ended_at < to_db(before))
        )
    ).rowcount


def add_failure(conn: Connection, scopes: list[str], *, now: datetime) -> None:
    conn.execute(insert(login_failures), [{"scope": scope, "ts": to_db(now)} for scope in scopes])


def recent_failures(conn: Connection, scope: str, *, since: datetime, limit: int) -> list[datetime]:
    """The newest ``limit`` failure times of ``scope`` at or after ``since``, newest first."""
    rows = conn.execute(
        select(login_failures.c.ts)
        .where(login_failures.c.scope == scope, login_failures.c.ts >= to_db(since))
        .order_by(login_failures.c.ts.desc())
        .limit(limit)
    )
    return [as_utc_required(ts) for (ts,) in rows]


def clear_failures(conn: Connection, scope: str) -> None:
    conn.execute(delete(login_failures).where(login_failures.c.scope == scope))


def prune_failures(conn: Connection, *, before: datetime) -> int:
    return conn.execute(delete(login_failures).where(login_failures.c.ts < to_db(before))).rowcount


def count_live_sessions(conn: Connection, user_id: int, *, now: datetime) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(web_sessions)
            .where(
                web_sessions.c.user_id == user_id,
                web_sessions.c.ended_at.is_(None),
                web_sessions.c.expires_at > to_db(now),
            )
        ).scalar_one()
    )
