"""Users and tokens: Argon2 hashes, sha256-only tokens, roles, the `brandguard users` CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.cli import main
from monitor.storage.schema import api_tokens
from monitor.storage.schema import users as users_table
from monitor.web import accounts as users
from tests.monitor.web.seed import NOW, PASSWORD, Seeded


def test_passwords_are_argon2id_and_tokens_are_stored_as_sha256(seeded: Seeded) -> None:
    engine = seeded.ctx.engine
    with engine.connect() as conn:
        hashes = list(conn.execute(select(users_table.c.password_hash)).scalars())
        token_rows = list(conn.execute(select(api_tokens.c.token_sha256)).scalars())
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert PASSWORD not in "".join(hashes)
    assert users.hash_token(seeded.tokens["pr"]) in token_rows
    assert seeded.tokens["pr"] not in token_rows
    assert seeded.tokens["pr"].startswith("bg_")


def test_production_uses_argon2_defaults() -> None:
    # The test suite lowers the cost in conftest; the shipped default is argon2-cffi's own.
    from argon2 import PasswordHasher

    assert PasswordHasher().time_cost >= 3


def test_authenticate(seeded: Seeded) -> None:
    engine = seeded.ctx.engine
    principal = users.authenticate_password(engine, "pr1", PASSWORD)
    assert principal is not None and principal.role == "pr"
    assert users.authenticate_password(engine, "pr1", "wrong") is None
    assert users.authenticate_password(engine, "ghost", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("x", "boss", PASSWORD, "unknown role"),
        ("x", "pr", "short", "at least"),
        ("pr1", "pr", PASSWORD, "already exists"),
        (" ", "pr", PASSWORD, "empty"),
    ],
)
def test_add_user_rejects(seeded: Seeded, name: str, role: str, password: str, message: str) -> None:
    with pytest.raises(users.UserError, match=message):
        users.add_user(seeded.ctx.engine, name, role, password, actor="t", now=NOW)


def test_token_cannot_exceed_the_users_role(seeded: Seeded) -> None:
    with pytest.raises(users.UserError, match="admin"):
        users.create_token(seeded.ctx.engine, "pr1", role="admin", label=None, actor="t", now=NOW)
    token = users.create_token(seeded.ctx.engine, "admin1", role="auditor", label="ro", actor="t", now=NOW)
    with seeded.ctx.engine.connect() as conn:
        principal = users.principal_for_token(conn, token)
    assert principal is not None and principal.role == "auditor"


def test_users_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        users, "PASSWORD_HASHER_PARAMS", {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    )
    monkeypatch.setenv("BRANDGUARD_PASSWORD", PASSWORD)
    monkeypatch.setenv("BRANDGUARD_ACTOR", "ops")
    base = ["--data-dir", str(tmp_path)]
    assert main([*base, "users", "add", "li.lei", "--role", "pr"]) == 0
    assert main([*base, "users", "token", "li.lei", "--label", "crawler"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("bg_")
    assert main([*base, "users", "list"]) == 0
    assert "li.lei\tpr\tactive" in capsys.readouterr().out
    assert main([*base, "users", "disable", "li.lei"]) == 0
    assert main([*base, "users", "list"]) == 0
    assert "li.lei\tpr\tdisabled" in capsys.readouterr().out
    assert main([*base, "users", "add", "x", "--role", "pr"]) == 0
    assert main([*base, "users", "add", "x", "--role", "pr"]) == 2
    assert capsys.readouterr().err.strip() == "brandguard: error: user 'x' already exists"


def test_admin_manages_users_over_the_api_and_it_is_audited(seeded: Seeded, client: Any) -> None:
    from monitor.audit.query import list_entries
    from tests.monitor.web.conftest import bearer

    admin = bearer(seeded, "admin")
    created = client.post(
        "/api/v1/users", json={"name": "new.pr", "role": "pr", "password": PASSWORD}, headers=admin
    )
    assert created.status_code == 201 and created.json()["role"] == "pr"
    again = client.post(
        "/api/v1/users", json={"name": "new.pr", "role": "pr", "password": PASSWORD}, headers=admin
    )
    assert again.status_code == 400 and "already exists" in again.json()["detail"]
    token = client.post("/api/v1/users/new.pr/tokens", json={"label": "bot"}, headers=admin).json()["token"]
    assert client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.post("/api/v1/users/new.pr/disable", headers=admin).json()["disabled"] is True
    assert client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    entries = [e for e in list_entries(seeded.ctx.engine, kind="users") if e.subject == "user:new.pr"]
    assert [(e.kind, e.actor) for e in entries] == [
        ("users.add", "admin1"),
        ("users.token", "admin1"),
        ("users.disable", "admin1"),
    ]
    assert token not in str([e.data for e in entries])


def test_users_page_add_and_disable(seeded: Seeded, client: Any) -> None:
    from tests.monitor.web.test_auth import csrf_from_page, login

    login(client, "admin1")
    token = csrf_from_page(client.get("/users").text)
    added = client.post(
        "/users", data={"csrf_token": token, "name": "page.user", "role": "auditor", "password": PASSWORD}
    )
    assert added.status_code == 303
    assert "page.user" in client.get("/users").text
    weak = client.post("/users", data={"csrf_token": token, "name": "weak", "role": "pr", "password": "x"})
    assert weak.status_code == 400 and "at least" in weak.text
    assert client.post("/users/page.user/disable", data={"csrf_token": token}).status_code == 303
    assert "已停用" in client.get("/users").text
