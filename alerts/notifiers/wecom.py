"""WeCom (企业微信) group bot. Markdown <= 4,096 bytes; 20 messages/min per bot.

Codes: 0 ok; 45009 API frequency limit; 93000 invalid webhook URL/key; 40001/40014/40013 invalid
credentials; 93004 bot disabled.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from alerts.cards import wecom_body
from alerts.message import truncate_utf8
from alerts.notifiers.base import check_http_status, classify_code, json_body, make_client, post_json

MARKDOWN_LIMIT = 4096
PERMANENT = frozenset({93000, 93004, 93008, 40001, 40013, 40014, 40058})
RATE_LIMITED = frozenset({45009, 45033})


class WeComNotifier:
    kind = "wecom"

    def __init__(
        self,
        url: str,
        *,
        key: str | None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        if key:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode({'key': key})}"
        self.url = url
        self._client = make_client(transport, timeout_s)

    def send(self, message: Mapping[str, Any], *, idempotency_key: str, now: datetime) -> str:
        card = message.get("card")
        body: dict[str, Any]
        if isinstance(card, dict):
            body = wecom_body(card, now)
        else:  # digests and other plain messages
            content = truncate_utf8(str(message.get("markdown") or message.get("text", "")), MARKDOWN_LIMIT)
            body = {"msgtype": "markdown", "markdown": {"content": content}}
        response = post_json(self._client, self.url, body)
        check_http_status(response)
        data = json_body(response)
        classify_code(
            "wecom", data.get("errcode"), data.get("errmsg"), permanent=PERMANENT, rate_limited=RATE_LIMITED
        )
        return "wecom errcode 0"

    def close(self) -> None:
        self._client.close()
