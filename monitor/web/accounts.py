"""Console users and API tokens (stored through ``monitor.storage.users_repo``).

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

from sqlalchemy.engine import Connection, Engine

from monitor import audit
from monitor.errors import BrandGuardError
from monitor.storage import users_repo

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


def _user(row: users_repo.UserRow) -> User:
    return User(id=row.id, name=row.name, role=row.role, disabled=row.disabled, created_at=row.created_at)


def add_user(engine: Engine, name: str, role: str, password: str, *, actor: str, now: datetime) -> User:
    name = name.strip()
    if not name:
        raise UserError("user name must not be empty")
    _check_role(role)
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    password_hash = _hasher().hash(password)
    with engine.begin() as conn:
        if users_repo.find_user(conn, name) is not None:
            raise UserError(f"user {name!r} already exists")
        user_id = users_repo.insert_user(conn, name=name, role=role, password_hash=password_hash, now=now)
        audit.append(
            conn, actor=actor, kind="users.add", subject=f"user:{name}", data={"role": role}, now=now
        )
        return _stored_user(conn, user_id)


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(row) for row in users_repo.list_users(conn)]


def get_user(conn: Connection, user_id: int) -> User | None:
    row = users_repo.get_user(conn, user_id)
    return None if row is None else _user(row)


def _stored_user(conn: Connection, user_id: int) -> User:
    row = users_repo.get_user(conn, user_id)
    if row is None:  # written or found in this very transaction
        raise RuntimeError(f"user #{user_id} vanished inside its own transaction")
    return _user(row)


def disable_user(engine: Engine, name: str, *, actor: str, now: datetime) -> User:
    """Disable the user, revoke all their tokens and end all their console sessions."""
    with engine.begin() as conn:
        row = users_repo.find_user(conn, name)
        if row is None:
            raise UserError(f"no user named {name!r}")
        users_repo.disable_user(conn, row.id)
        revoked = users_repo.revoke_tokens(conn, row.id, now=now)
        from monitor.web.sessions import end_all

        ended = end_all(conn, row.id, now=now)
        audit.append(
            conn,
            actor=actor,
            kind="users.disable",
            subject=f"user:{name}",
            data={"tokens_revoked": revoked, "sessions_ended": ended},
            now=now,
        )
        return _stored_user(conn, row.id)


def create_token(
    engine: Engine, name: str, *, role: str | None, label: str | None, actor: str, now: datetime
) -> str:
    """A new API token for user ``name``; returns the plain token (shown once, never stored)."""
    with engine.begin() as conn:
        row = users_repo.find_user(conn, name)
        if row is None:
            raise UserError(f"no user named {name!r}")
        if row.disabled:
            raise UserError(f"user {name!r} is disabled")
        token_role = _check_role(role or row.role)
        if token_role == "admin" and row.role != "admin":
            # A token must not be stronger than the person holding it.
            raise UserError("only an admin user can hold an admin token")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        users_repo.insert_token(
            conn, user_id=row.id, token_sha256=hash_token(token), role=token_role, label=label, now=now
        )
        audit.append(
            conn,
            actor=actor,
            kind="users.token",
            subject=f"user:{name}",
            data={"role": token_role, "label": label or "", "token_sha256": hash_token(token)[:12]},
            now=now,
        )
    return token


def authenticate_password(engine: Engine, name: str, password: str) -> Principal | None:
    """The principal for a correct password of an enabled user; None otherwise (same cost either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    with engine.connect() as conn:
        row = users_repo.find_user(conn, name.strip())
    stored = row.password_hash if row is not None else None
    try:
        if stored is None:
            # Spend the same time as a real check so response time does not reveal which names exist.
            hasher.verify(_DUMMY_HASH.get(hasher), password)
            return None
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    return Principal(user_id=row.id, name=row.name, role=row.role, via="session")


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
    owner = users_repo.token_owner(conn, hash_token(token))
    if owner is None or owner.disabled or owner.revoked_at is not None:
        return None
    return Principal(user_id=owner.user_id, name=owner.name, role=owner.role, via="token")


def principal_for_session(conn: Connection, user_id: int) -> Principal | None:
    user = get_user(conn, user_id)
    if user is None or user.disabled:
        return None
    return Principal(user_id=user.id, name=user.name, role=user.role, via="session")
