"""Generic JSON webhook, HMAC-SHA256 signed over ``timestamp.body``.

Headers: ``X-BrandGuard-Timestamp`` (Unix seconds), ``X-BrandGuard-Signature: sha256=<hex>`` and
``Idempotency-Key``. Any 2xx is success; the receiver deduplicates on the idempotency key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from alerts.notifiers.base import HttpNotifier, check_http_status, post_json


def signature(secret: str, timestamp: str, body: bytes) -> str:
    # The timestamp is inside the MAC so a captured request cannot be replayed later with a new header.
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookNotifier(HttpNotifier):
    kind = "webhook"

    def send(self, message: Mapping[str, Any], *, idempotency_key: str, now: datetime) -> str:
        body = json.dumps(
            {"idempotency_key": idempotency_key, **message}, ensure_ascii=False, sort_keys=True
        ).encode()
        timestamp = str(int(now.timestamp()))
        headers = {"X-BrandGuard-Timestamp": timestamp, "Idempotency-Key": idempotency_key}
        if self._secret:
            headers["X-BrandGuard-Signature"] = signature(self._secret, timestamp, body)
        response = post_json(self._client, self.url, {}, headers=headers, content=body)
        check_http_status(response)
        return f"HTTP {response.status_code}"
