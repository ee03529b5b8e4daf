"""Console users and API tokens on the ``users`` / ``api_tokens`` tables.

Passwords are hashed with Argon2id (argon2-cffi defaults); tokens are random ``bg_...`` strings of which
only the SHA-256 is stored, so a copied database does not hand out working credentials. Every change is
one transaction with its audit entry (kind ``users.<action>``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from monitor import audit
from monitor.errors import BrandGuardError
from monitor.storage.schema import api_tokens, users
from monitor.storage.times import as_utc, as_utc_required, to_db

ROLES: tuple[str, ...] = ("pr", "copywriter", "auditor", "admin")
TOKEN_PREFIX = "bg_"
MIN_PASSWORD_CHARS = 10
# argon2-cffi's defaults (Argon2id, RFC 9106 low-memory profile); tests lower them to stay fast.
PASSWORD_HASHER_PARAMS: dict[str, Any] = {}


class UserError(BrandGuardError):
    """Bad user-management input: unknown role or user, duplicate name, weak password."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a user, with the role of the session or of the token used."""

    user_id: int
    name: str
    role: str
    via: str  # "session" | "token"


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher(**PASSWORD_HASHER_PARAMS)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (use one of: {', '.join(ROLES)})")
    return role


def _user(row: Any) -> User:
    return User(
        id=row["id"],
        name=row["name"],
        role=row["role"],
        disabled=bool(row["disabled"]),
        created_at=as_utc_required(row["created_at"]),
    )


def _find(conn: Connection, name: str) -> Any:
    return conn.execute(select(users).where(users.c.name == name)).mappings().first()


def add_user(engine: Engine, name: str, role: str, password: str, *, actor: str, now: datetime) -> User:
    name = name.strip()
    if not name:
        raise UserError("user name must not be empty")
    _check_role(role)
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    password_hash = _hasher().hash(password)
    with engine.begin() as conn:
        if _find(conn, name) is not None:
            raise UserError(f"user {name!r} already exists")
        user_id = conn.execute(
            insert(users)
            .values(name=name, role=role, password_hash=password_hash, disabled=False, created_at=to_db(now))
            .returning(users.c.id)
        ).scalar_one()
        audit.append(
            conn, actor=actor, kind="users.add", subject=f"user:{name}", data={"role": role}, now=now
        )
        return _user(conn.execute(select(users).where(users.c.id == user_id)).mappings().one())


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(users).order_by(users.c.name)).mappings()]


def get_user(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return None if row is None else _user(row)


def disable_user(engine: Engine, name: str, *, actor: str, now: datetime) -> User:
    """Disable the user and revoke all their tokens; their sessions stop working at the next request."""
    with engine.begin() as conn:
        row = _find(conn, name)
        if row is None:
            raise UserError(f"no user named {name!r}")
        conn.execute(update(users).where(users.c.id == row["id"]).values(disabled=True))
        revoked = conn.execute(
            update(api_tokens)
            .where(api_tokens.c.user_id == row["id"], api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=to_db(now))
        ).rowcount
        audit.append(
            conn, actor=actor, kind="users.disable", subject=f"user:{name}", data={"tokens_revoked": revoked},
            now=now,
        )
        return _user(conn.execute(select(users).where(users.c.id == row["id"])).mappings().one())


def create_token(
    engine: Engine, name: str, *, role: str | None, label: str | None, actor: str, now: datetime
) -> str:
    """A new API token for user ``name``; returns the plain token (shown once, never stored)."""
    with engine.begin() as conn:
        row = _find(conn, name)
        if row is None:
            raise UserError(f"no user named {name!r}")
        if row["disabled"]:
            raise UserError(f"user {name!r} is disabled")
        token_role = _check_role(role or row["role"])
        if token_role == "admin" and row["role"] != "admin":
            # A token must not be stronger than the person holding it.
            raise UserError("only an admin user can hold an admin token")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        conn.execute(
            insert(api_tokens).values(
                user_id=row["id"], token_sha256=hash_token(token), role=token_role, label=label,
                created_at=to_db(now),
            )
        )
        audit.append(
            conn, actor=actor, kind="users.token", subject=f"user:{name}",
            data={"role": token_role, "label": label or "", "token_sha256": hash_token(token)[:12]}, now=now,
        )
    return token


def authenticate_password(engine: Engine, name: str, password: str) -> Principal | None:
    """The principal for a correct password of an enabled user; None otherwise (same cost either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    with engine.connect() as conn:
        row = _find(conn, name.strip())
    stored = row["password_hash"] if row is not None else None
    try:
        if stored is None:
            # Spend the same time as a real check so response time does not reveal which names exist.
            hasher.verify(_DUMMY_HASH.get(hasher), password)
            return None
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled"]:
        return None
    return Principal(user_id=row["id"], name=row["name"], role=row["role"], via="session")


class _DummyHash:
    def __init__(self) -> None:
        self._value: str | None = None

    def get(self, hasher: Any) -> str:
        if self._value is None:
            self._value = hasher.hash(secrets.token_hex(16))
        return self._value


_DUMMY_HASH = _DummyHash()


def principal_for_token(conn: Connection, token: str) -> Principal | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        conn.execute(
            select(api_tokens.c.role, api_tokens.c.revoked_at, users.c.id, users.c.name, users.c.disabled)
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.token_sha256 == hash_token(token))
        )
        .mappings()
        .first()
    )
    if row is None or row["disabled"] or as_utc(row["revoked_at"]) is not None:
        return None
    return Principal(user_id=row["id"], name=row["name"], role=row["role"], via="token")


def principal_for_session(conn: Connection, user_id: int) -> Principal | None:
    user = get_user(conn, user_id)
    if user is None or user.disabled:
        return None
    return Principal(user_id=user.id, name=user.name, role=user.role, via="session")
