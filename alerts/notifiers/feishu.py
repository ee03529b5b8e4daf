"""Feishu / Lark custom bot, signed. 100 messages/min and 5/s per bot.

sign = Base64(HMAC-SHA256(key=f"{timestamp_s}\\n{secret}", msg=b"")) - the secret is in the *key* and
the message is empty, unlike DingTalk. Timestamp and sign go in the JSON body. Codes: 0 ok (older
deployments answer ``StatusCode: 0``); 19021 bad signature; 19022 IP not allowed; 19024 keyword
check failed; 11232 / 9499 rate limited.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from alerts.cards import feishu_card
from alerts.notifiers.base import (
    HttpNotifier,
    check_http_status,
    classify_code,
    json_body,
    post_json,
)

PERMANENT = frozenset({19001, 19002, 19021, 19022, 19024})
RATE_LIMITED = frozenset({11232, 9499})


def sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class FeishuNotifier(HttpNotifier):
    kind = "feishu"

    def send(self, message: Mapping[str, Any], *, idempotency_key: str, now: datetime) -> str:
        card = message.get("card")
        body: dict[str, Any]
        if isinstance(card, dict):
            body = feishu_card(card, now)
        else:  # digests and other plain messages
            body = {"msg_type": "text", "content": {"text": str(message.get("text", ""))}}
        if self._secret:
            timestamp = int(now.timestamp())
            body["timestamp"] = str(timestamp)
            body["sign"] = sign(self._secret, timestamp)
        response = post_json(self._client, self.url, body)
        check_http_status(response)
        data = json_body(response)
        code = data.get("code", data.get("StatusCode"))
        classify_code(
            "feishu",
            code,
            data.get("msg", data.get("StatusMessage")),
            permanent=PERMANENT,
            rate_limited=RATE_LIMITED,
        )
        return "feishu code 0"
