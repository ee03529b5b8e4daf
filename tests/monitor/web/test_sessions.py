"""Sessions that end (issue 11): a cookie copied before logout or `users disable` is dead; login
throttling per account and per address with a clear message; logins in the compliance log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from monitor.audit.query import list_entries
from monitor.web import sessions
from monitor.web.accounts import disable_user
from monitor.web.app import create_app
from tests.monitor.web.conftest import TestClient
from tests.monitor.web.seed import NOW, PASSWORD, Seeded, fake_scorer
from tests.monitor.web.test_auth import csrf_from_page, login


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(seeded: Seeded, clock: Clock) -> Any:
    return create_app(seeded.ctx, secure_cookies=False, clock=clock, scorer_factory=fake_scorer)


@pytest.fixture
def web(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def _copy(app: Any, original: TestClient) -> TestClient:
    thief = TestClient(app, base_url="http://testserver", follow_redirects=False)
    thief.cookies.update(original.cookies)
    return thief


def test_cookie_copied_before_logout_is_dead_after_it(app: Any, web: TestClient) -> None:
    assert login(web, "auditor1").status_code == 303
    thief = _copy(app, web)
    assert thief.get("/audit").status_code == 200
    token = csrf_from_page(web.get("/audit").text)
    assert web.post("/logout", data={"csrf_token": token}).status_code == 303
    assert thief.get("/audit").status_code == 303  # to the login page
    assert thief.get("/api/v1/audit/verify").status_code == 401


def test_disable_ends_every_session_of_the_user(seeded: Seeded, app: Any, web: TestClient) -> None:
    login(web, "pr1")
    other = TestClient(app, base_url="http://testserver", follow_redirects=False)
    login(other, "pr1")
    assert web.get("/incidents").status_code == other.get("/incidents").status_code == 200
    disable_user(seeded.ctx.engine, "pr1", actor="admin1", now=NOW)
    assert web.get("/incidents").status_code == other.get("/incidents").status_code == 303
    entry = list_entries(seeded.ctx.engine, kind="users.disable")[-1]
    assert entry.data["sessions_ended"] == 2


def test_session_expires_after_its_lifetime(web: TestClient, clock: Clock) -> None:
    login(web, "pr1")
    clock.now = NOW + sessions.SESSION_LIFETIME - timedelta(seconds=1)
    assert web.get("/incidents").status_code == 200
    clock.now = NOW + sessions.SESSION_LIFETIME
    assert web.get("/incidents").status_code == 303


def test_account_is_throttled_after_five_failures_with_a_clear_message(
    seeded: Seeded, web: TestClient, clock: Clock
) -> None:
    for i in range(sessions.ACCOUNT_LIMIT):
        clock.now = NOW + timedelta(seconds=i)
        assert login(web, "pr1", password="wrong").status_code == 401
    response = login(web, "pr1")  # even the right password is not looked at now
    assert response.status_code == 429
    assert "登录失败次数过多，该账户已暂停登录，请在 10:15 后（约 15 分钟）再试" in response.text
    assert int(response.headers["retry-after"]) == 15 * 60 - 4
    clock.now = NOW + sessions.WINDOW  # the first failure has left the window
    assert login(web, "pr1").status_code == 303
    failed = list_entries(seeded.ctx.engine, kind="users.login_failed")
    assert len(failed) == sessions.ACCOUNT_LIMIT and failed[0].subject == "user:pr1"
    assert failed[0].data == {"address": "unknown"}  # the test client's address is no IP; see masking below
    ok = list_entries(seeded.ctx.engine, kind="users.login")
    assert [e.actor for e in ok] == ["pr1"]


def test_success_clears_the_account_failures(web: TestClient, clock: Clock) -> None:
    for _ in range(sessions.ACCOUNT_LIMIT - 1):
        login(web, "pr1", password="wrong")
    assert login(web, "pr1").status_code == 303
    for _ in range(sessions.ACCOUNT_LIMIT - 1):
        assert login(web, "pr1", password="wrong").status_code == 401
    assert login(web, "pr1").status_code == 303


def test_address_is_throttled_across_accounts(web: TestClient) -> None:
    names = [f"nobody{i}" for i in range(sessions.ADDRESS_LIMIT)]
    for name in names:
        assert login(web, name, password="wrong").status_code == 401
    response = login(web, "copywriter1", password=PASSWORD)
    assert response.status_code == 429 and "该网络地址已暂停登录" in response.text


def test_blocked_until_boundaries() -> None:
    window = timedelta(minutes=15)
    failures = [NOW - timedelta(minutes=m) for m in (0, 1, 2, 3, 14)]
    assert sessions.blocked_until(failures, limit=5, window=window, now=NOW) == NOW + timedelta(minutes=1)
    assert sessions.blocked_until(failures[:4], limit=5, window=window, now=NOW) is None
    assert sessions.blocked_until(failures, limit=5, window=window, now=NOW + timedelta(minutes=1)) is None


@pytest.mark.parametrize(
    ("address", "masked"),
    [("203.0.113.7", "203.0.113.*"), ("2001:db8:1:2::5", "2001:db8:1::*"), ("testclient", "unknown")],
)
def test_addresses_are_masked_in_the_log(address: str, masked: str) -> None:
    assert sessions.masked_address(address) == masked
