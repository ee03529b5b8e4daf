"""Users and API tokens as stored: what is written reads back, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from monitor.storage import users_repo

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_users_insert_find_list_disable(engine: Engine) -> None:
    with engine.begin() as conn:
        wang = users_repo.insert_user(conn, name="wang", role="pr", password_hash="$argon2id$x", now=NOW)
        li = users_repo.insert_user(conn, name="li", role="admin", password_hash="$argon2id$y", now=NOW)
    with engine.connect() as conn:
        found = users_repo.find_user(conn, "wang")
        assert found is not None
        assert (found.id, found.role, found.password_hash) == (wang, "pr", "$argon2id$x")
        assert not found.disabled
        assert found.created_at == NOW and found.created_at.tzinfo is not None
        assert users_repo.find_user(conn, "nobody") is None
        assert users_repo.get_user(conn, li) == users_repo.find_user(conn, "li")
        assert users_repo.get_user(conn, 999) is None
        assert [u.name for u in users_repo.list_users(conn)] == ["li", "wang"]
    with engine.begin() as conn:
        users_repo.disable_user(conn, wang)
    with engine.connect() as conn:
        again = users_repo.get_user(conn, wang)
        assert again is not None and again.disabled


def test_tokens_insert_lookup_revoke(engine: Engine) -> None:
    with engine.begin() as conn:
        uid = users_repo.insert_user(conn, name="crawler", role="pr", password_hash="h", now=NOW)
        users_repo.insert_token(conn, user_id=uid, token_sha256="a" * 64, role="pr", label="c-01", now=NOW)
        users_repo.insert_token(
            conn, user_id=uid, token_sha256="b" * 64, role="copywriter", label=None, now=NOW
        )
    with engine.connect() as conn:
        owner = users_repo.token_owner(conn, "b" * 64)
        assert owner == users_repo.TokenOwner(
            role="copywriter", revoked_at=None, user_id=uid, name="crawler", disabled=False
        )
        assert users_repo.token_owner(conn, "c" * 64) is None
    later = NOW + timedelta(hours=1)
    with engine.begin() as conn:
        assert users_repo.revoke_tokens(conn, uid, now=later) == 2
        assert users_repo.revoke_tokens(conn, uid, now=later) == 0  # only live tokens count
    with engine.connect() as conn:
        revoked = users_repo.token_owner(conn, "a" * 64)
        assert revoked is not None and revoked.revoked_at == later
