"""DingTalk (钉钉) custom robot, signed. 20 messages/min, then throttled for 10 minutes.

sign = urlencode(Base64(HMAC-SHA256(secret, f"{timestamp_ms}\\n{secret}"))), passed in the query with
the timestamp; the signature is valid for one hour. Codes: 0 ok; 310000 sign/keyword/IP check failed;
300001 / 400102 bad token / robot stopped; 130101 and 410100 sending too fast.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from alerts.cards import dingtalk_body
from alerts.notifiers.base import (
    HttpNotifier,
    check_http_status,
    classify_code,
    json_body,
    post_json,
)

PERMANENT = frozenset({310000, 300001, 300005, 400102, 400101})
RATE_LIMITED = frozenset({130101, 410100})
THROTTLE_S = 600.0  # DingTalk blocks a robot for 10 minutes after it exceeds 20 messages a minute


def sign(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkNotifier(HttpNotifier):
    kind = "dingtalk"

    def _signed_url(self, now: datetime) -> str:
        if not self._secret:
            return self.url
        timestamp_ms = int(now.timestamp() * 1000)
        query = urlencode({"timestamp": timestamp_ms, "sign": sign(self._secret, timestamp_ms)})
        return f"{self.url}{'&' if '?' in self.url else '?'}{query}"

    def send(self, message: Mapping[str, Any], *, idempotency_key: str, now: datetime) -> str:
        card = message.get("card")
        body: dict[str, Any]
        if isinstance(card, dict):
            body = dingtalk_body(card, now)
        else:  # digests and other plain messages
            body = {
                "msgtype": "markdown",
                "markdown": {
                    "title": str(message.get("title", "")),
                    "text": str(message.get("markdown") or message.get("text", "")),
                },
            }
        response = post_json(self._client, self._signed_url(now), body)
        check_http_status(response)
        data = json_body(response)
        classify_code(
            "dingtalk",
            data.get("errcode"),
            data.get("errmsg"),
            permanent=PERMANENT,
            rate_limited=RATE_LIMITED,
            rate_retry_after_s=THROTTLE_S,
        )
        return "dingtalk errcode 0"
