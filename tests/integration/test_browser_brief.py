"""The weekly brief in headless Chromium: ECharts draws four canvases with the brief's series, from the
vendored file, with no inline chart code. With BRANDGUARD_SCREENSHOT_DIR set, the page is also saved as
a PNG (that is how docs/images/brief-week.png was made)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.context import Context
from monitor.web import accounts as users
from monitor.web.app import create_app
from tests.integration.test_browser_console import ARGS, CHROMIUM
from tests.monitor.reports.fixture_data import NOW
from tests.monitor.web.conftest import FAST_ARGON2
from tests.monitor.web.live_server import serve_in_thread
from tests.monitor.web.seed import PASSWORD, fake_scorer

pytestmark = [pytest.mark.integration, pytest.mark.browser]


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
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Context]]:
    from bench.reports import BRANDS, generate

    monkeypatch.setattr(users, "PASSWORD_HASHER_PARAMS", FAST_ARGON2)
    config = "".join(
        f'[[brands]]\nname = "{b}"\nquery = "{b}"\n' + ('role = "competitor"\n' if i else "")
        for i, b in enumerate(BRANDS[:4])
    )
    (tmp_path / "brandguard.toml").write_text(config, encoding="utf-8")
    ctx = Context(config_path=tmp_path / "brandguard.toml", data_dir=tmp_path / "data")
    generate(ctx.engine, 6000, brands=4)  # ~100 mentions a day per brand over 60 days
    users.add_user(ctx.engine, "pr1", "pr", PASSWORD, actor="test", now=NOW)
    app = create_app(ctx, secure_cookies=False, clock=lambda: NOW, scorer_factory=fake_scorer)
    with serve_in_thread(app) as base:
        yield base, ctx
    ctx.close()


def test_weekly_brief_renders_its_charts(browser: Any, console: tuple[str, Context]) -> None:
    base, _ = console
    page = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN").new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base}/reports/brief")
    page.fill("input[name=username]", "pr1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/reports/brief$"))
    page.wait_for_selector("html[data-charts-ready='4']")
    assert page.locator(".echart canvas").count() == 4
    options = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-chart]')].map(el => {
            const option = echarts.getInstanceByDom(el).getOption();
            return [el.dataset.chart, option.series.map(s => ({name: s.name, data: s.data}))];
        }))"""
    )
    brief = page.evaluate("() => JSON.parse(document.getElementById('brief-data').textContent)")
    assert [s["name"] for s in options["volume"]] == ["本期", "上期"]
    assert options["volume"][0]["data"] == brief["volume"]["by_day"]
    assert sum(brief["volume"]["by_day"]) == brief["volume"]["total"] > 0
    assert [s["name"] for s in options["sentiment"]] == ["负面", "中性", "正面", "未评分"]
    assert options["sentiment"][0]["data"] == brief["sentiment"]["by_day"]["negative"]
    assert {d["name"]: d["value"] for d in options["sov"][0]["data"]} == {
        s["brand"]: s["mentions"] for s in brief["share_of_voice"]
    }
    assert len(options["platforms"][0]["data"]) == len(brief["platforms"]) >= 5
    # every script came from our own origin: the vendored ECharts, never a CDN
    assert all(url.startswith(base) for url in requests), requests
    assert any(url.endswith("/static/vendor/echarts.min.js") for url in requests)
    # a canvas that ECharts drew on is not blank
    painted = page.evaluate(
        """() => { const c = document.querySelector('#chart-volume canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }"""
    )
    assert painted > 1000
    target = os.environ.get("BRANDGUARD_SCREENSHOT_DIR")
    if target:
        page.screenshot(path=str(Path(target) / "brief-week.png"), full_page=False)
        page.evaluate("document.querySelector('.brief').scrollIntoView()")
        page.screenshot(path=str(Path(target) / "brief-week-tables.png"), full_page=False)
