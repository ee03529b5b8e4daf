"""Server-rendered pages: board with countdown, actions by role, draft highlight and waivers, reports."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from monitor.audit.query import list_entries
from monitor.web.pages_check import segments
from tests.monitor.web.seed import NOW, Seeded, add_incident
from tests.monitor.web.test_auth import csrf_from_page, login


def test_board_orders_by_severity_then_deadline_and_renders_the_countdown(
    seeded: Seeded, client: Any
) -> None:
    add_incident(seeded.ctx.engine, severity="P3", title="小问题", opened_at=NOW)
    add_incident(
        seeded.ctx.engine, severity="P1", title="更急", opened_at=NOW - timedelta(hours=3, minutes=30)
    )
    login(client, "pr1")
    page = client.get("/incidents").text
    titles = re.findall(r'<a href="/incidents/\d+">([^<]+)</a>', page)
    assert titles == ["更急", "门店投诉发酵", "小问题"]
    # 4h deadline, opened 3h30m before "now": 0:30:00 left, rendered by the server before any script runs
    assert re.search(r'data-deadline="[^"]+">\s*0:30:00', page)
    assert re.search(r'data-deadline="2026-11-20T06:00:00\+00:00">\s*4:00:00', page)


def test_overdue_countdown_is_marked(seeded: Seeded, client: Any) -> None:
    add_incident(seeded.ctx.engine, title="超时了", opened_at=NOW - timedelta(hours=5))
    login(client, "pr1")
    assert re.search(
        r'countdown overdue" data-deadline="[^"]+">\s*已超时 1:00:00', client.get("/incidents").text
    )


@pytest.mark.parametrize(
    ("user", "buttons"), [("pr1", True), ("admin1", True), ("auditor1", False), ("copywriter1", False)]
)
def test_action_buttons_only_for_roles_that_may_act(
    seeded: Seeded, client: Any, user: str, buttons: bool
) -> None:
    login(client, user)
    for url in ("/incidents", f"/incidents/{seeded.incident_id}"):
        assert ('data-action="acknowledge"' in client.get(url).text) is buttons


def test_acknowledge_from_the_board(seeded: Seeded, client: Any) -> None:
    login(client, "pr1")
    token = csrf_from_page(client.get("/incidents").text)
    response = client.post(
        f"/incidents/{seeded.incident_id}/acknowledge", data={"csrf_token": token, "back": "board"}
    )
    assert response.headers["location"] == "/incidents"
    detail = client.get(f"/incidents/{seeded.incident_id}").text
    assert 'class="state">acknowledged' in detail
    assert "incident.ack" in detail
    assert [e.actor for e in list_entries(seeded.ctx.engine, kind="incident")] == ["pr1"]


def test_unknown_action_is_422_not_500(seeded: Seeded, client: Any) -> None:
    login(client, "pr1")
    token = csrf_from_page(client.get("/incidents").text)
    assert (
        client.post(f"/incidents/{seeded.incident_id}/explode", data={"csrf_token": token}).status_code == 422
    )


def test_check_page_highlights_findings_in_place(seeded: Seeded, client: Any) -> None:
    login(client, "copywriter1")
    token = csrf_from_page(client.get("/check").text)
    text = "第一行\r\n全网第一的<产品>，联系 13812345678"
    page = client.post("/check", data={"csrf_token": token, "text": text}).text
    assert '<mark class="finding error" id="f0" data-rule="ad_law.absolute_terms"' in page
    assert ">全网第一</mark>的&lt;产品&gt;" in page  # escaped, and the offsets survived CRLF
    assert "第九条" in page
    assert [e.actor for e in list_entries(seeded.ctx.engine, kind="check")] == ["copywriter1"]


def test_check_page_waiver_with_reason(seeded: Seeded, client: Any) -> None:
    login(client, "copywriter1")
    token = csrf_from_page(client.get("/check").text)
    page = client.post(
        "/check",
        data={
            "csrf_token": token,
            "text": "全网第一，联系 13812345678",
            "waive_rule": ["ad_law.absolute_terms", "pii.mobile"],
            "waive_text": ["全网第一", "13812345678"],
            "waive_reason": ["榜单证明 2026-118", ""],
        },
    ).text
    assert 'class="finding error waived"' in page
    assert "已豁免：榜单证明 2026-118" in page
    assert 'class="finding warning"' in page  # no reason, no waiver
    data = list_entries(seeded.ctx.engine, kind="check")[-1].data
    assert any(f.get("waived") for f in data["findings"])


def test_check_page_upload(seeded: Seeded, client: Any) -> None:
    login(client, "pr1")
    token = csrf_from_page(client.get("/check").text)
    page = client.post(
        "/check",
        data={"csrf_token": token},
        files={"upload": ("draft.txt", "最佳选择".encode("gb18030"), "text/plain")},
    ).text
    assert ">最佳</mark>" in page
    assert list_entries(seeded.ctx.engine, kind="check")[-1].subject == "web:draft.txt"


def test_segments_skip_overlaps() -> None:
    class F:
        def __init__(self, start: int, end: int) -> None:
            self.start, self.end = start, end

    assert segments("abcdef", [F(1, 3), F(2, 4), F(4, 5)]) == [
        ("a", None),
        ("bc", 0),
        ("d", None),
        ("e", 2),
        ("f", None),
    ]


def test_mentions_feed_filters(seeded: Seeded, client: Any) -> None:
    login(client, "auditor1")
    assert "门店投诉发酵" in client.get("/mentions", params={"label": "negative"}).text
    assert "门店投诉发酵" not in client.get("/mentions", params={"label": "positive"}).text
    assert "门店投诉发酵" not in client.get("/mentions", params={"source": "weibo-rss"}).text
    assert "连续失败 2 次" in client.get("/sources").text


def test_audit_page_shows_verification_and_export(seeded: Seeded, client: Any) -> None:
    login(client, "auditor1")
    page = client.get("/audit", params={"kind": "users"}).text
    assert "通过" in page and "users.add" in page
    assert client.get("/audit/export").headers["content-type"] == "application/zip"


def test_reports_render_svg_charts(seeded: Seeded, client: Any) -> None:
    login(client, "pr1")
    page = client.get("/reports").text
    assert page.count("<svg") >= 3
    assert "示例品牌" in page and "负面占比 100%" in page


def test_error_page_for_browsers(seeded: Seeded, client: Any) -> None:
    login(client, "pr1")
    response = client.get("/incidents/999", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "no incident with id 999" in response.text and "<html" in response.text


def test_crawled_links_that_are_not_http_are_not_links(seeded: Seeded, client: Any) -> None:
    from sqlalchemy import update

    from monitor.storage.schema import mentions

    with seeded.ctx.engine.begin() as conn:
        conn.execute(update(mentions).values(url="javascript:alert(1)"))
    login(client, "pr1")
    for url in ("/mentions", f"/incidents/{seeded.incident_id}"):
        page = client.get(url).text
        assert "javascript:alert" not in page
        assert "门店投诉发酵" in page


def test_security_headers(client: Any) -> None:
    headers = client.get("/login").headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
