"""Each notifier against httpx.MockTransport: request shape, signature, and the platform's own codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from alerts.errors import NotifierError, RateLimited
from alerts.notifiers.dingtalk import DingTalkNotifier
from alerts.notifiers.feishu import FeishuNotifier
from alerts.notifiers.webhook import WebhookNotifier, signature
from alerts.notifiers.wecom import WeComNotifier

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
MSG = {"title": "【P1·新负面舆情】星巴克", "text": "正文", "markdown": "### 正文"}


def _transport(status: int, body: object, seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def test_webhook_signs_body_and_sends_key() -> None:
    seen: list[httpx.Request] = []
    n = WebhookNotifier("http://h.test/x", secret="s3", transport=_transport(200, {}, seen))
    n.send(MSG, idempotency_key="k1", now=NOW)
    req = seen[0]
    ts = req.headers["X-BrandGuard-Timestamp"]
    assert ts == str(int(NOW.timestamp()))
    assert req.headers["Idempotency-Key"] == "k1"
    expected = "sha256=" + hmac.new(b"s3", ts.encode() + b"." + req.content, hashlib.sha256).hexdigest()
    assert req.headers["X-BrandGuard-Signature"] == expected == signature("s3", ts, req.content)
    assert json.loads(req.content)["idempotency_key"] == "k1"


@pytest.mark.parametrize(
    ("status", "error", "permanent"),
    [
        (429, RateLimited, False),
        (500, NotifierError, False),
        (401, NotifierError, True),
        (404, NotifierError, True),
        (302, NotifierError, True),
    ],
)
def test_webhook_status_classes(status: int, error: type[Exception], permanent: bool) -> None:
    n = WebhookNotifier("http://h.test/x", secret=None, transport=_transport(status, {}, []))
    with pytest.raises(error) as info:
        n.send(MSG, idempotency_key="k", now=NOW)
    assert getattr(info.value, "permanent", None) is permanent


BOT_CASES = [
    # kind, body, expected: None ok | "rate" | "permanent" | "transient"
    ("wecom", {"errcode": 0, "errmsg": "ok"}, None),
    ("wecom", {"errcode": 45009, "errmsg": "api freq out of limit"}, "rate"),
    ("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"}, "permanent"),
    ("wecom", {"errcode": -1, "errmsg": "system busy"}, "transient"),
    ("dingtalk", {"errcode": 0, "errmsg": "ok"}, None),
    ("dingtalk", {"errcode": 310000, "errmsg": "sign not match"}, "permanent"),
    ("dingtalk", {"errcode": 130101, "errmsg": "send too fast"}, "rate"),
    ("dingtalk", {"errcode": 300001, "errmsg": "token is not exist"}, "permanent"),
    ("feishu", {"code": 0, "msg": "success"}, None),
    ("feishu", {"StatusCode": 0, "StatusMessage": "success"}, None),
    ("feishu", {"code": 19021, "msg": "sign match fail"}, "permanent"),
    ("feishu", {"code": 19024, "msg": "Key Words Not Found"}, "permanent"),
    ("feishu", {"code": 11232, "msg": "frequency limited"}, "rate"),
]


def _bot(kind: str, transport: httpx.BaseTransport) -> WeComNotifier | DingTalkNotifier | FeishuNotifier:
    if kind == "wecom":
        return WeComNotifier("http://bot.test/send", key="KEY", transport=transport)
    if kind == "dingtalk":
        return DingTalkNotifier(
            "http://bot.test/robot/send?access_token=T", secret="SEC", transport=transport
        )
    return FeishuNotifier("http://bot.test/hook/abc", secret="SEC", transport=transport)


@pytest.mark.parametrize(("kind", "body", "expected"), BOT_CASES)
def test_http_200_is_not_success_by_itself(kind: str, body: dict[str, object], expected: str | None) -> None:
    bot = _bot(kind, _transport(200, body, []))
    if expected is None:
        assert bot.send(MSG, idempotency_key="k", now=NOW)
        return
    with pytest.raises(NotifierError) as info:
        bot.send(MSG, idempotency_key="k", now=NOW)
    assert isinstance(info.value, RateLimited) is (expected == "rate")
    assert info.value.permanent is (expected == "permanent")


def test_dingtalk_signature_in_query() -> None:
    seen: list[httpx.Request] = []
    _bot("dingtalk", _transport(200, {"errcode": 0}, seen)).send(MSG, idempotency_key="k", now=NOW)
    query = parse_qs(urlsplit(str(seen[0].url)).query)
    ts = query["timestamp"][0]
    assert ts == str(int(NOW.timestamp() * 1000)) and query["access_token"] == ["T"]
    expected = base64.b64encode(hmac.new(b"SEC", f"{ts}\nSEC".encode(), hashlib.sha256).digest()).decode()
    assert query["sign"][0] == expected
    assert json.loads(seen[0].content)["msgtype"] == "markdown"


def test_feishu_signature_in_body() -> None:
    seen: list[httpx.Request] = []
    _bot("feishu", _transport(200, {"code": 0}, seen)).send(MSG, idempotency_key="k", now=NOW)
    body = json.loads(seen[0].content)
    ts = body["timestamp"]
    expected = base64.b64encode(hmac.new(f"{ts}\nSEC".encode(), b"", hashlib.sha256).digest()).decode()
    assert body["sign"] == expected and body["content"]["text"] == "正文"


def test_wecom_key_and_byte_limit() -> None:
    seen: list[httpx.Request] = []
    bot = _bot("wecom", _transport(200, {"errcode": 0}, seen))
    bot.send({"markdown": "负" * 5000}, idempotency_key="k", now=NOW)
    assert parse_qs(urlsplit(str(seen[0].url)).query)["key"] == ["KEY"]
    content = json.loads(seen[0].content)["markdown"]["content"]
    assert len(content.encode()) <= 4096


def test_transport_errors_are_transient() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(NotifierError) as info:
        _bot("wecom", httpx.MockTransport(boom)).send(MSG, idempotency_key="k", now=NOW)
    assert not info.value.permanent


def test_non_json_body_is_transient() -> None:
    t = httpx.MockTransport(lambda r: httpx.Response(200, text="<html>gateway</html>"))
    with pytest.raises(NotifierError) as info:
        _bot("feishu", t).send(MSG, idempotency_key="k", now=NOW)
    assert not info.value.permanent
