"""The console in headless Chromium (Debian's, driven by Playwright): login, countdown, acknowledge,
draft highlight, and an auditor who sees no buttons and whom the API refuses."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.context import Context
from monitor.web import accounts as users
from monitor.web.app import create_app
from tests.monitor.web.conftest import FAST_ARGON2
from tests.monitor.web.live_server import serve_in_thread
from tests.monitor.web.seed import PASSWORD, add_incident, fake_scorer

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    monkeypatch.setattr(users, "PASSWORD_HASHER_PARAMS", FAST_ARGON2)
    ctx = Context(config_path=None, data_dir=tmp_path)
    now = datetime.now(UTC).replace(microsecond=0)
    for role in ("pr", "auditor", "copywriter"):
        users.add_user(ctx.engine, f"{role}1", role, PASSWORD, actor="test", now=now)
    incident_id = add_incident(ctx.engine, opened_at=now)
    app = create_app(ctx, secure_cookies=False, scorer_factory=fake_scorer)
    with serve_in_thread(app) as base:
        yield base, incident_id
    ctx.close()


def _login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/incidents")
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents$"))


def test_pr_watches_the_countdown_and_acknowledges(browser: Any, console: tuple[str, int]) -> None:
    base, incident_id = console
    context = browser.new_context()
    page = context.new_page()
    page.clock.install()  # the countdown script runs on a clock the test moves, no sleeping
    _login(page, base, "pr1")
    row = page.locator(f"tr[data-incident='{incident_id}']")
    countdown = row.locator(".countdown")
    first = countdown.inner_text()
    assert re.fullmatch(r"[34]:\d\d:\d\d", first), first
    page.clock.run_for(65_000)
    later = countdown.inner_text()
    assert later != first
    h1, m1, s1 = map(int, first.split(":"))
    h2, m2, s2 = map(int, later.split(":"))
    assert 60 <= (h1 * 3600 + m1 * 60 + s1) - (h2 * 3600 + m2 * 60 + s2) <= 70
    row.locator("button[data-action=acknowledge]").click()
    page.wait_for_url(re.compile(r".*/incidents$"))
    assert page.locator(f"tr[data-incident='{incident_id}'] .state").inner_text() == "acknowledged"
    context.close()


def test_copywriter_checks_a_draft_and_sees_the_highlight(browser: Any, console: tuple[str, int]) -> None:
    base, _ = console
    context = browser.new_context()
    page = context.new_page()
    _login(page, base, "copywriter1")
    page.goto(f"{base}/check")
    page.fill("#draft", "新品上市\n全网第一的扫地机器人")
    page.click("form[action='/check'] button.primary")
    mark = page.locator("#highlighted mark.finding").first
    mark.wait_for()
    assert mark.inner_text() == "全网第一"
    assert "第九条" in page.locator("#findings").inner_text()
    assert page.locator("button[data-action]").count() == 0
    context.close()


def test_auditor_has_no_buttons_and_the_api_refuses(browser: Any, console: tuple[str, int]) -> None:
    base, incident_id = console
    context = browser.new_context()
    page = context.new_page()
    _login(page, base, "auditor1")
    assert page.locator(f"tr[data-incident='{incident_id}']").count() == 1
    assert page.locator("button[data-action]").count() == 0
    page.goto(f"{base}/incidents/{incident_id}")
    assert page.locator("button[data-action]").count() == 0
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(
        f"{base}/api/v1/incidents/{incident_id}/acknowledge", headers={"X-CSRF-Token": token or ""}
    )
    assert refused.status == 403
    form = page.request.post(f"{base}/incidents/{incident_id}/acknowledge", form={"csrf_token": token or ""})
    assert form.status == 403
    assert page.request.get(f"{base}/audit").status == 200
    context.close()


def test_board_fits_a_phone(browser: Any, console: tuple[str, int]) -> None:
    base, incident_id = console
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, base, "pr1")
    for url in ("/incidents", f"/incidents/{incident_id}", "/check", "/reports"):
        page.goto(f"{base}{url}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a phone"
    context.close()


def test_strict_csp_blocks_nothing_of_our_own(browser: Any, console: tuple[str, int]) -> None:
    """Every console page under the strict Content-Security-Policy: our own nonce'd style and script
    run (the countdown ticks, the layout is styled) and the browser reports no violation."""
    base, incident_id = console
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security" in msg.text else None)
    page.clock.install()
    _login(page, base, "pr1")
    for path in ("/incidents", f"/incidents/{incident_id}", "/mentions", "/sources", "/reports", "/nope"):
        response = page.goto(base + path)
        assert response is not None
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    page.goto(f"{base}/incidents")
    assert page.evaluate("getComputedStyle(document.querySelector('header')).display") == "flex"
    countdown = page.locator(f"tr[data-incident='{incident_id}'] .countdown")
    first = countdown.inner_text()
    page.clock.run_for(5_000)
    assert countdown.inner_text() != first  # the nonce'd script ran
    assert violations == []
    # an injected inline handler is refused (and reported) instead of run
    with page.expect_console_message(lambda msg: "Content Security Policy" in msg.text):
        injected = '<img src=x onerror="window.pwned=1">'
        page.evaluate(f"document.body.insertAdjacentHTML('beforeend', '{injected}')")
    assert page.evaluate("window.pwned === undefined")
    context.close()
