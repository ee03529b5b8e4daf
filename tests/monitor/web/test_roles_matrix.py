"""Every route x every role x anonymous, against the one permission table.

The test walks the app's real routes, so a new endpoint missing from ``PERMISSIONS`` fails here, and a
table entry without a route fails too.
"""

from __future__ import annotations

from typing import Any

import pytest

from monitor.web.accounts import ROLES
from monitor.web.app import route_keys
from monitor.web.permissions import ANONYMOUS, PERMISSIONS, allowed
from tests.monitor.web.conftest import make_client
from tests.monitor.web.seed import Seeded

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/check"): {"text": "全网最低价，国家级产品"},
    ("POST", "/api/v1/mentions"): {"brand": "示例品牌", "title": "门店被投诉", "guid": "m-1"},
    ("POST", "/api/v1/incidents/{incident_id}/respond"): {"url": "https://example.com/statement"},
    ("POST", "/api/v1/incidents/{incident_id}/dismiss"): {"reason": "误报"},
    ("POST", "/api/v1/users"): {"name": "new.user", "role": "copywriter", "password": "a long password"},
    ("POST", "/api/v1/users/{name}/tokens"): {"label": "matrix"},
}
FORM_BODIES: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/login"): {"username": "nobody", "password": "wrong password"},
    ("POST", "/check"): {"text": "全网最低价"},
    ("POST", "/incidents/{incident_id}/{action}"): {"reason": "误报"},
    ("POST", "/users"): {"name": "page.user", "role": "pr", "password": "a long password"},
}


@pytest.fixture
def world(seeded: Seeded) -> Any:
    with make_client(seeded) as client:
        yield seeded, client


def _concrete(path: str, data: Seeded) -> str:
    return (
        path.replace("{incident_id}", str(data.incident_id))
        .replace("{action}", "acknowledge")
        .replace("{name}", "copywriter1")
    )


def _denied(response: Any) -> bool:
    if response.status_code == 403:
        return True
    if response.status_code == 401 and "www-authenticate" in response.headers:
        return True
    return response.status_code == 303 and response.headers.get("location", "").startswith("/login?next=")


def test_every_route_is_in_the_table_and_every_entry_is_a_route(world: Any) -> None:
    _, client = world
    routes = route_keys(client.fastapi_app)
    assert len(routes) >= 30
    assert routes - PERMISSIONS.keys() == set(), "routes missing from PERMISSIONS"
    assert PERMISSIONS.keys() - routes == set(), "PERMISSIONS entries without a route"


@pytest.mark.parametrize("who", [*ROLES, ANONYMOUS])
def test_matrix(world: Any, who: str) -> None:
    data, client = world
    client.cookies.clear()
    headers: dict[str, str] = {}
    if who == ANONYMOUS:
        # A real visitor has the login page's session and CSRF token: refusals must come from the role
        # check, not from a missing CSRF token.
        from tests.monitor.web.test_auth import csrf_from_page

        headers["X-CSRF-Token"] = csrf_from_page(client.get("/login").text)
        assert client.cookies.get("bg_session")
    else:
        headers["Authorization"] = f"Bearer {data.tokens[who]}"
    failures = []
    for method, path in sorted(PERMISSIONS):
        url = _concrete(path, data)
        key = (method, path)
        response = client.request(
            method, url, headers=headers, json=JSON_BODIES.get(key), data=FORM_BODIES.get(key)
        )
        assert response.status_code < 500, (who, method, path, response.text[:300])
        expected = allowed(method, path, None if who == ANONYMOUS else who)
        if expected == _denied(response):
            failures.append(
                f"{who} {method} {path}: expected {'allowed' if expected else 'denied'}, "
                f"got {response.status_code}"
            )
    assert failures == []


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed_expected"),
    [
        ("copywriter", "POST", "/api/v1/incidents/{incident_id}/acknowledge", False),
        ("auditor", "POST", "/api/v1/incidents/{incident_id}/acknowledge", False),
        ("auditor", "POST", "/api/v1/check", False),
        ("auditor", "GET", "/api/v1/audit", True),
        ("pr", "GET", "/api/v1/audit", False),
        ("copywriter", "POST", "/api/v1/check", True),
        ("pr", "POST", "/api/v1/incidents/{incident_id}/acknowledge", True),
    ],
)
def test_key_rules_of_the_issue(role: str, method: str, path: str, allowed_expected: bool) -> None:
    assert allowed(method, path, role) is allowed_expected


def test_anonymous_sees_only_login_and_healthz() -> None:
    public = {key for key in PERMISSIONS if allowed(key[0], key[1], None)}
    assert public == {("GET", "/healthz"), ("GET", "/login"), ("POST", "/login")}


@pytest.mark.parametrize("who", [*ROLES, ANONYMOUS])
def test_batch_ingest_follows_the_table(world: Any, who: str) -> None:
    """POST /api/v1/mentions with a list (vendor / crawler batches) is the same route, the same roles."""
    data, client = world
    client.cookies.clear()
    headers = {} if who == ANONYMOUS else {"Authorization": f"Bearer {data.tokens[who]}"}
    batch = [
        {
            "platform": "weibo",
            "id": "1",
            "text": "示例品牌 门店被投诉",
            "published_at": "2026-11-20T09:00:00+08:00",
        }
    ]
    response = client.post("/api/v1/mentions", json=batch, headers=headers)
    assert response.status_code < 500
    expected = allowed("POST", "/api/v1/mentions", None if who == ANONYMOUS else who)
    assert _denied(response) is (not expected), (who, response.status_code)
    if expected:
        assert response.json()["received"] == 1
