"""Console users and API tokens: every SQL statement on ``users`` and ``api_tokens``.

Credentials arrive here already hashed: ``monitor.web.accounts`` owns password hashing (Argon2id), token
generation, the rules (roles, who may hold which token) and the audit entries, and opens the
transactions; these functions run inside them. Only a token's SHA-256 is ever stored or looked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from monitor.storage.schema import api_tokens, users
from monitor.storage.times import as_utc, as_utc_required, to_db


@dataclass(frozen=True)
class UserRow:
    """A stored user; ``password_hash`` never leaves the accounts module."""

    id: int
    name: str
    role: str
    password_hash: str | None
    disabled: bool
    created_at: datetime

    @classmethod
    def from_mapping(cls, row: RowMapping) -> UserRow:
        return cls(
            id=row["id"],
            name=row["name"],
            role=row["role"],
            password_hash=row["password_hash"],
            disabled=bool(row["disabled"]),
            created_at=as_utc_required(row["created_at"]),
        )


@dataclass(frozen=True)
class TokenOwner:
    """What a token lookup needs: the token's role and state, and its user."""

    role: str
    revoked_at: datetime | None
    user_id: int
    name: str
    disabled: bool


def find_user(conn: Connection, name: str) -> UserRow | None:
    row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
    return None if row is None else UserRow.from_mapping(row)


def get_user(conn: Connection, user_id: int) -> UserRow | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return None if row is None else UserRow.from_mapping(row)


def list_users(conn: Connection) -> list[UserRow]:
    """All users, by name (disabled ones included)."""
    rows = conn.execute(select(users).order_by(users.c.name)).mappings()
    return [UserRow.from_mapping(row) for row in rows]


def insert_user(conn: Connection, *, name: str, role: str, password_hash: str, now: datetime) -> int:
    """A new enabled user; returns its id. The caller checked that the name is free."""
    return int(
        conn.execute(
            insert(users)
            .values(name=name, role=role, password_hash=password_hash, disabled=False, created_at=to_db(now))
            .returning(users.c.id)
        ).scalar_one()
    )


def disable_user(conn: Connection, user_id: int) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(disabled=True))


def insert_token(
    conn: Connection, *, user_id: int, token_sha256: str, role: str, label: str | None, now: datetime
) -> None:
    conn.execute(
        insert(api_tokens).values(
            user_id=user_id, token_sha256=token_sha256, role=role, label=label, created_at=to_db(now)
        )
    )


def revoke_tokens(conn: Connection, user_id: int, *, now: datetime) -> int:
    """Revoke every live token of the user; returns how many were live."""
    return conn.execute(
        update(api_tokens)
        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=to_db(now))
    ).rowcount


def token_owner(conn: Connection, token_sha256: str) -> TokenOwner | None:
    """The token with this SHA-256 and its user, in one indexed lookup (revoked or not)."""
    row = (
        conn.execute(
            select(api_tokens.c.role, api_tokens.c.revoked_at, users.c.id, users.c.name, users.c.disabled)
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.token_sha256 == token_sha256)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return TokenOwner(
        role=row["role"],
        revoked_at=as_utc(row["revoked_at"]),
        user_id=row["id"],
        name=row["name"],
        disabled=bool(row["disabled"]),
    )
