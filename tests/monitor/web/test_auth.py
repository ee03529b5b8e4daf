"""Sessions, cookies, CSRF, tokens and disabled users."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from monitor.web.accounts import disable_user
from monitor.web.auth import SECRET_ENV, session_secret
from tests.monitor.web.conftest import bearer, make_client
from tests.monitor.web.seed import NOW, PASSWORD, Seeded

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from_page(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def login(client: Any, name: str, password: str = PASSWORD, next_path: str = "/incidents") -> Any:
    token = csrf_from_page(client.get("/login").text)
    return client.post(
        "/login", data={"username": name, "password": password, "next": next_path, "csrf_token": token}
    )


def test_login_sets_a_session_and_redirects(client: Any) -> None:
    response = login(client, "pr1", next_path="/mentions")
    assert response.status_code == 303
    assert response.headers["location"] == "/mentions"
    page = client.get("/incidents")
    assert page.status_code == 200
    assert "pr1 (pr)" in page.text


def test_wrong_password_is_refused_with_one_message(client: Any) -> None:
    response = login(client, "pr1", password="not the password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert client.get("/incidents").status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_login_next_cannot_leave_the_site(client: Any, target: str) -> None:
    assert login(client, "pr1", next_path=target).headers["location"] == "/incidents"


def test_login_without_csrf_token_is_refused(client: Any) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "pr1", "password": PASSWORD})
    assert response.status_code == 403


def test_cookie_flags_secure(seeded: Seeded) -> None:
    with make_client(seeded, secure=True) as client:
        response = client.get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" in cookie


def test_cookie_flags_insecure_for_loopback(client: Any) -> None:
    cookie = client.get("/login").headers["set-cookie"].lower()
    assert "secure" not in cookie
    assert "httponly" in cookie


def test_cookie_session_needs_csrf_on_unsafe_methods(seeded: Seeded, client: Any) -> None:
    login(client, "pr1")
    url = f"/incidents/{seeded.incident_id}/acknowledge"
    assert client.post(url, data={}).status_code == 403
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 403
    token = csrf_from_page(client.get("/incidents").text)
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 303
    api = client.post(f"/api/v1/incidents/{seeded.incident_id}/resolve", headers={"X-CSRF-Token": token})
    assert api.status_code == 200
    assert api.json()["state"] == "resolved"


def test_bearer_requests_skip_csrf(seeded: Seeded, client: Any) -> None:
    response = client.post(
        f"/api/v1/incidents/{seeded.incident_id}/acknowledge", headers=bearer(seeded, "pr")
    )
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["Bearer bg_not-a-token", "Bearer nope", "Basic abc"])
def test_bad_tokens_are_401(client: Any, header: str) -> None:
    response = client.get("/api/v1/incidents", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_disabled_user_loses_session_and_tokens(seeded: Seeded, client: Any) -> None:
    login(client, "pr1")
    assert client.get("/incidents").status_code == 200
    disable_user(seeded.ctx.engine, "pr1", actor="admin1", now=NOW)
    assert client.get("/incidents").status_code == 303
    assert client.get("/api/v1/incidents", headers=bearer(seeded, "pr")).status_code == 401
    assert login(client, "pr1").status_code == 401


def test_logout_ends_the_session(client: Any) -> None:
    login(client, "auditor1")
    token = csrf_from_page(client.get("/audit").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/audit").status_code == 303


def test_session_secret_from_env_or_private_file(tmp_path: Path) -> None:
    assert session_secret(tmp_path, {SECRET_ENV: "from-env"}) == "from-env"
    first = session_secret(tmp_path / "d", {})
    assert session_secret(tmp_path / "d", {}) == first
    assert len(first) >= 40
    mode = (tmp_path / "d" / "web-secret.key").stat().st_mode & 0o777
    assert mode == 0o600


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/api/v1/check", {"text": 5}),
        ("POST", "/api/v1/incidents/abc/acknowledge", None),
        ("GET", "/api/v1/mentions?limit=-1", None),
    ],
)
def test_anonymous_gets_401_before_any_validation(client: Any, method: str, url: str, body: Any) -> None:
    # Validation messages would describe the API to someone who may not see it.
    assert client.request(method, url, json=body).status_code == 401


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _cached_client(seeded: Seeded) -> tuple[Any, _Clock]:
    from monitor.web.principal_cache import PrincipalCache

    client = make_client(seeded)
    clock = _Clock()
    client.fastapi_app.state.web.principals = PrincipalCache(ttl_s=5.0, clock=clock)
    return client, clock


def test_a_token_disabled_elsewhere_stops_working_within_the_cache_ttl(seeded: Seeded) -> None:
    client, clock = _cached_client(seeded)
    assert client.get("/api/v1/incidents", headers=bearer(seeded, "pr")).status_code == 200
    disable_user(seeded.ctx.engine, "pr1", actor="admin1", now=NOW)  # as `brandguard users disable` does
    assert client.get("/api/v1/incidents", headers=bearer(seeded, "pr")).status_code == 200
    clock.now += 5.0
    assert client.get("/api/v1/incidents", headers=bearer(seeded, "pr")).status_code == 401


def test_disabling_through_the_api_ends_cached_tokens_at_once(seeded: Seeded) -> None:
    client, _clock = _cached_client(seeded)
    assert client.get("/api/v1/incidents", headers=bearer(seeded, "pr")).status_code == 200
    assert client.post("/api/v1/users/pr1/disable", headers=bearer(seeded, "admin")).status_code == 200
    assert client.get("/api/v1/incidents", headers=bearer(seeded, "pr")).status_code == 401


def test_disabling_on_the_users_page_ends_cached_tokens_at_once(seeded: Seeded) -> None:
    client, _clock = _cached_client(seeded)
    assert client.get("/api/v1/incidents", headers=bearer(seeded, "pr")).status_code == 200
    login(client, "admin1")
    token = csrf_from_page(client.get("/users").text)
    assert client.post("/users/pr1/disable", data={"csrf_token": token}).status_code == 303
    assert client.get("/api/v1/incidents", headers=bearer(seeded, "pr")).status_code == 401


def test_principal_cache_is_bounded_and_expires() -> None:
    from monitor.web import principal_cache
    from monitor.web.accounts import Principal

    clock = _Clock()
    cache = principal_cache.PrincipalCache(ttl_s=2.0, clock=clock)
    someone = Principal(user_id=1, name="a", role="pr", via="token")
    for i in range(principal_cache.MAX_ENTRIES):
        cache.put(f"h{i}", someone)
    assert cache.get("h0") == someone
    cache.put("one-too-many", someone)  # full: starts over rather than growing
    assert cache.get("h0") is None and cache.get("one-too-many") == someone
    clock.now += 2.0
    assert cache.get("one-too-many") is None
