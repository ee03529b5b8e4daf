"""Console sessions that end, login throttling, and logins in the compliance log.

A signed cookie alone cannot be taken back: a copy made before logout kept working for its 12 hours
(issue 11). The cookie now carries a random session id; the session row (``web_sessions``, SHA-256 of
the id only) decides whether it is live, so logout ends every copy of that cookie and ``users disable``
ends all of the user's sessions at once.

Throttling: after ``ACCOUNT_LIMIT`` failed logins for one account, or ``ADDRESS_LIMIT`` from one
address, within ``WINDOW``, further attempts are refused without checking the password until the
oldest of those failures leaves the window. A success clears the account's failures. Every failed and
successful login, and every logout, is an entry in the compliance log (``users.login_failed``,
``users.login``, ``users.logout``); the address is stored with its last part masked (PIPL).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection, Engine

from monitor import audit
from monitor.storage import sessions_repo

SESSION_ID = "sid"
SESSION_LIFETIME = timedelta(hours=12)  # one working day, as the cookie's max-age
WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def masked_address(address: str) -> str:
    """203.0.113.7 -> 203.0.113.*; IPv6 keeps its /48. Enough to tell an office from an attack."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3]) + ".*"
    network = ipaddress.ip_network(f"{ip}/48", strict=False)
    return f"{network.network_address}*"


def blocked_until(
    failures_newest_first: Sequence[datetime], *, limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """Pure: when attempts may resume, or None when they may now. Blocked while the ``limit`` newest
    failures all lie within ``window``."""
    if len(failures_newest_first) < limit:
        return None
    until = failures_newest_first[limit - 1] + window
    return until if until > now else None


@dataclass(frozen=True)
class Throttled:
    until: datetime
    reason: str  # "account" | "address"


def throttled(engine: Engine, *, username: str, address: str, now: datetime) -> Throttled | None:
    since = now - WINDOW
    with engine.connect() as conn:
        for scope, limit, reason in (
            (f"user:{username}", ACCOUNT_LIMIT, "account"),
            (f"addr:{address}", ADDRESS_LIMIT, "address"),
        ):
            failures = sessions_repo.recent_failures(conn, scope, since=since, limit=limit)
            until = blocked_until(failures, limit=limit, window=WINDOW, now=now)
            if until is not None:
                return Throttled(until, reason)
    return None


def record_failure(engine: Engine, *, username: str, address: str, now: datetime) -> None:
    with engine.begin() as conn:
        sessions_repo.prune_failures(conn, before=now - WINDOW)
        sessions_repo.add_failure(conn, [f"user:{username}", f"addr:{address}"], now=now)
        audit.append(
            conn,
            actor=f"user:{username}",
            kind="users.login_failed",
            subject=f"user:{username}",
            data={"address": masked_address(address)},
            now=now,
        )


def start(engine: Engine, *, user_id: int, username: str, address: str, now: datetime) -> str:
    """A new live session; returns its id for the cookie (never stored in the clear)."""
    session_id = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        sessions_repo.delete_finished_sessions(conn, before=now - SESSION_LIFETIME)
        sessions_repo.insert_session(
            conn, id_sha256=_digest(session_id), user_id=user_id, now=now, expires_at=now + SESSION_LIFETIME
        )
        sessions_repo.clear_failures(conn, f"user:{username}")
        audit.append(
            conn,
            actor=username,
            kind="users.login",
            subject=f"user:{username}",
            data={"address": masked_address(address), "session": _digest(session_id)[:12]},
            now=now,
        )
    return session_id


def session_user(conn: Connection, session_id: str, *, now: datetime) -> int | None:
    return sessions_repo.live_session_user(conn, _digest(session_id), now=now)


def end(engine: Engine, session_id: str, *, username: str, now: datetime) -> None:
    with engine.begin() as conn:
        if sessions_repo.end_session(conn, _digest(session_id), now=now):
            audit.append(
                conn,
                actor=username,
                kind="users.logout",
                subject=f"user:{username}",
                data={"session": _digest(session_id)[:12]},
                now=now,
            )


def end_all(conn: Connection, user_id: int, *, now: datetime) -> int:
    """In the caller's transaction (``users disable``)."""
    return sessions_repo.end_user_sessions(conn, user_id, now=now)
