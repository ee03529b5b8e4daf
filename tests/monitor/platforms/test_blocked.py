"""Blocked detection on each fixture page (tests/monitor/platforms/fixtures, written by us: see README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.platforms.blocked import Verdict, detect

FIXTURES = Path(__file__).parent / "fixtures"

# (file, HTTP status it is served with, expected state, expected reason)
CASES = [
    ("weibo_api_login.json", 200, "blocked", "login required"),
    ("weibo_visitor_system.html", 200, "blocked", "login required"),
    ("weibo_too_frequent.json", 200, "blocked", "rate limited"),
    ("xiaohongshu_captcha.html", 200, "blocked", "captcha"),
    ("douyin_verify.html", 200, "blocked", "captcha"),
    ("tieba_security.html", 200, "blocked", "captcha"),
    ("bilibili_risk_control.json", 200, "blocked", "risk control"),
    ("bilibili_not_logged_in.json", 200, "blocked", "login required"),
    ("zhihu_unauthorized.json", 401, "blocked", "login required"),
    ("heimao_login.html", 200, "blocked", "login required"),
    ("rsshub_config_not_found.html", 503, "needs_config", "RSSHub route needs config"),
    ("rsshub_cookie_expired.html", 503, "needs_config", "cookie expired"),
    ("rsshub_upstream_403.html", 503, "blocked", "refused upstream"),
]


@pytest.mark.parametrize(("name", "status", "state", "reason"), CASES)
def test_each_fixture_gets_its_state(name: str, status: int, state: str, reason: str) -> None:
    verdict = detect(status, {}, (FIXTURES / name).read_bytes())
    assert verdict == Verdict(state, reason)


def test_rsshub_error_page_names_the_error() -> None:
    verdict = detect(503, {"content-type": "text/html"}, (FIXTURES / "rsshub_error.html").read_bytes())
    assert verdict is not None and verdict.state == "failing"
    assert verdict.reason.startswith("RSSHub error: FetchError")
    assert "<no response>" in verdict.reason  # entities decoded


def test_labels_read_like_the_issue_asks() -> None:
    assert Verdict("blocked", "login required").label == "blocked (login required)"
    assert Verdict("needs_config", "cookie expired").label == "needs config (cookie expired)"


@pytest.mark.parametrize(
    "body",
    [
        b'{"ok":1,"data":{"cards":[]}}',
        b'{"code":0,"message":"0","data":{}}',
        (FIXTURES / "weibo_keyword.json").read_bytes(),
        b"<html><body><p>\xe6\x96\xb0\xe5\x93\x81</p></body></html>",
        b"",
    ],
)
def test_healthy_answers_are_not_blocked(body: bytes) -> None:
    assert detect(200, {}, body) is None


def test_bare_status_codes() -> None:
    assert detect(403, {}, b"") == Verdict("blocked", "HTTP 403 refused")
    assert detect(412, {}, None) == Verdict("blocked", "HTTP 412 refused")
    assert detect(401, {}, b"") == Verdict("needs_config", "HTTP 401 unauthorized")
    assert detect(500, {}, b"oops") is None


def test_unknown_json_error_code_is_failing_not_ok() -> None:
    assert detect(200, {}, b'{"code": 40001, "msg": "invalid credential"}') == Verdict(
        "failing", "invalid credential (code 40001)"
    )
