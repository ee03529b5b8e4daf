"""The live board in headless Chromium: a new incident appears on an open board within 5 s without a
reload, a new P1 is announced, a responded incident shows no countdown, and a card's signed link goes
through the login page to the incident."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from alerts.deep_link import incident_link
from monitor.context import Context
from monitor.storage.link_key_repo import link_key
from monitor.storage.schema import incidents
from monitor.web import accounts as users
from monitor.web.app import create_app
from tests.integration.test_browser_console import browser  # noqa: F401  (the shared Chromium fixture)
from tests.monitor.web.conftest import FAST_ARGON2
from tests.monitor.web.live_server import serve_in_thread
from tests.monitor.web.seed import PASSWORD, add_incident, fake_scorer

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Context, int]]:
    monkeypatch.setattr(users, "PASSWORD_HASHER_PARAMS", FAST_ARGON2)
    ctx = Context(config_path=None, data_dir=tmp_path)
    now = datetime.now(UTC).replace(microsecond=0)
    users.add_user(ctx.engine, "pr1", "pr", PASSWORD, actor="test", now=now)
    first = add_incident(ctx.engine, opened_at=now, severity="P2", title="第一起")
    app = create_app(ctx, secure_cookies=False, scorer_factory=fake_scorer)
    with serve_in_thread(app) as base:
        yield base, ctx, first
    ctx.close()


def _login(page: Any, base: str, start: str = "/incidents") -> None:
    page.goto(f"{base}{start}")
    assert "/login" in page.url
    page.fill("input[name=username]", "pr1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_new_incident_appears_without_reload_and_p1_is_announced(
    browser: Any,  # noqa: F811
    console: tuple[str, Context, int],
) -> None:
    base, ctx, first = console
    page = browser.new_context().new_page()
    _login(page, base)
    page.wait_for_url(re.compile(r".*/incidents$"))
    page.evaluate("window.__loaded = true")  # survives only if the page is never reloaded
    assert page.locator("tr[data-incident]").count() == 1
    new_id = add_incident(ctx.engine, opened_at=datetime.now(UTC), severity="P1", title="新的P1事件")
    row = page.locator(f"tr[data-incident='{new_id}']")
    row.wait_for(timeout=5_000)  # the board polls every 2 s
    assert page.evaluate("window.__loaded") is True
    assert page.locator("body").get_attribute("data-last-p1") == str(new_id)
    assert page.locator("#board-count").inner_text() == "2"
    # A responded incident stops its countdown, on the next poll as well.
    with ctx.engine.begin() as conn:
        conn.execute(
            update(incidents)
            .where(incidents.c.id == first)
            .values(state="responded", responded_at=datetime.now(UTC), responded_by="pr1")
        )
    page.locator(f"tr[data-incident='{first}'] .stopped").wait_for(timeout=5_000)
    assert page.locator(f"tr[data-incident='{first}'] .countdown").count() == 0
    page.context.close()


def test_signed_card_link_goes_through_login_to_the_incident(
    browser: Any,  # noqa: F811
    console: tuple[str, Context, int],
) -> None:
    base, ctx, first = console
    now = datetime.now(UTC)
    with ctx.engine.begin() as conn:
        key = link_key(conn, now)
    link = incident_link(base, key, first, now=now, ttl=timedelta(hours=1))
    page = browser.new_context().new_page()
    _login(page, base, start=link.removeprefix(base))
    page.wait_for_url(re.compile(rf".*/incidents/{first}$"))
    assert "第一起" in page.locator("h1").inner_text()
    tampered = link.replace(f"/go/{first}.", f"/go/{first + 1}.")
    response = page.goto(tampered)
    assert response is not None and response.status == 400
    expired = incident_link(base, key, first, now=now - timedelta(hours=2), ttl=timedelta(hours=1))
    response = page.goto(expired)
    assert response is not None and response.status == 400 and "expired" in page.content()
    page.context.close()
