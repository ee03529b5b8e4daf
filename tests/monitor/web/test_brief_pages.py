"""The briefing page, its downloads, the API endpoint, the mentions export and the vendored ECharts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.context import Context
from monitor.web import accounts as users
from monitor.web.accounts import add_user, create_token
from tests.monitor.reports.fixture_data import NOW, seed
from tests.monitor.web.conftest import FAST_ARGON2, TestClient
from tests.monitor.web.seed import fake_scorer

ECHARTS_SHA256 = "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0"
CONFIG = """
[[brands]]
name = "甲品牌"
query = "甲品牌"

[[brands]]
name = "乙品牌"
query = "乙品牌"
role = "competitor"
"""


def brief_context(directory: Path) -> Context:
    """A data directory with the hand-checked fixture, a config naming the brands and one user per role."""
    (directory / "brandguard.toml").write_text(CONFIG, encoding="utf-8")
    ctx = Context(config_path=directory / "brandguard.toml", data_dir=directory / "data")
    seed(ctx.engine)
    return ctx


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, str]]:
    from monitor.web.app import create_app

    monkeypatch.setattr(users, "PASSWORD_HASHER_PARAMS", dict(FAST_ARGON2))
    ctx = brief_context(tmp_path)
    add_user(ctx.engine, "pr1", "pr", "correct horse battery", actor="test", now=NOW)
    token = create_token(ctx.engine, "pr1", role=None, label="test", actor="test", now=NOW)
    app = create_app(ctx, secure_cookies=False, clock=lambda: NOW, scorer_factory=fake_scorer)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c, token
    ctx.close()


def test_api_returns_the_brief_with_hand_computed_numbers(client: Any) -> None:
    c, _ = client
    response = c.get("/api/v1/reports/brief", params={"period": "week", "keywords": "false"})
    assert response.status_code == 200
    brief = response.json()
    assert brief["version"] == 1 and brief["days"][0] == "2026-11-23"
    assert brief["volume"]["by_day"] == [2, 0, 1, 0, 0, 0, 1]
    assert brief["health"]["formula"].startswith("健康度 = 100 ×")


def test_api_refuses_bad_input_with_a_clear_answer(client: Any) -> None:
    c, _ = client
    assert c.get("/api/v1/reports/brief", params={"period": "year"}).status_code == 422
    unknown = c.get("/api/v1/reports/brief", params={"brand": "丙"})
    assert unknown.status_code == 400 and "unknown brand" in unknown.json()["detail"]


def test_page_carries_chart_data_in_a_json_block_and_no_inline_chart_code(client: Any) -> None:
    c, _ = client
    page = c.get("/reports/brief", params={"since": "2026-11-23"}, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text[-3000:]
    html = page.text
    start = html.index('<script type="application/json" id="brief-data">') + len(
        '<script type="application/json" id="brief-data">'
    )
    data = json.loads(html[start : html.index("</script>", start)])
    assert data["volume"]["by_day"] == [2, 0, 1, 0, 0, 0, 1]
    assert '<script src="/static/vendor/echarts.min.js"></script>' in html
    assert '<script src="/static/brief.js"></script>' in html
    assert "品牌健康度" in html and "健康度 = 100 × (0.5 × 情感" in html
    assert "cdn" not in html.lower()


def test_vendored_echarts_is_served_from_the_package_with_its_pinned_hash(client: Any) -> None:
    c, _ = client
    response = c.get("/static/vendor/echarts.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert hashlib.sha256(response.content).hexdigest() == ECHARTS_SHA256
    assert c.get("/static/brief.js").status_code == 200
    assert c.get("/static/../app.py").status_code == 404
    assert c.get("/static/vendor/README.md").status_code == 404


def test_xlsx_download_opens_with_openpyxl_with_sheets_data_and_native_charts(client: Any) -> None:
    import openpyxl

    c, _ = client
    response = c.get("/reports/brief/export", params={"format": "xlsx", "since": "2026-11-23"})
    assert response.status_code == 200, response.text
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="brandguard-brief-week-2026-11-23.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "概览",
        "每日",
        "声量份额",
        "热点",
        "平台",
        "来源",
        "作者",
        "关键词",
        "事件",
        "覆盖",
    ]
    daily = [list(r) for r in book["每日"].iter_rows(values_only=True)]
    assert daily[0][:3] == ["日期", "声量", "上期同位"]
    assert [r[1] for r in daily[1:]] == [2, 0, 1, 0, 0, 0, 1]
    assert len(book["每日"]._charts) == 2 and len(book["声量份额"]._charts) == 1  # line + stacked, pie
    assert len(book["平台"]._charts) == 1
    sov = {r[0]: r[2] for r in book["声量份额"].iter_rows(min_row=2, values_only=True)}
    assert sov == {"甲品牌": 4, "乙品牌": 4}


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_text_downloads(client: Any, fmt: str) -> None:
    c, _ = client
    response = c.get("/reports/brief/export", params={"format": fmt, "since": "2026-11-23"})
    assert response.status_code == 200
    assert "甲品牌" in response.content.decode()
    if fmt == "html":
        assert response.text.count("<svg") == 4  # static charts inline: works in mail clients without JS


def test_mentions_csv_export_has_a_bom_and_round_trips(client: Any) -> None:
    c, _ = client
    response = c.get("/mentions/export", params={"format": "csv", "brand": "甲品牌"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "品牌", "发布时间"]
    by_title = {r[6]: r for r in rows[1:]}
    assert len(by_title) == 7
    first = by_title["甲品牌 电池起火 投诉"]
    # stored 2026-11-22T16:00Z, shown in the display zone
    assert first[2] == "2026-11-23 00:00:00" and first[3] == "feed-a" and first[10] == "100000"


def test_mentions_xlsx_export_with_filters(client: Any) -> None:
    import openpyxl

    c, _ = client
    response = c.get("/mentions/export", params={"format": "xlsx", "label": "negative"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["舆情"].iter_rows(min_row=2, values_only=True))
    assert {r[4] for r in rows} == {"negative"} and len(rows) == 4
