"""What every notifier does, and the shared HTTP plumbing for the bot notifiers.

The Chinese bots answer HTTP 200 with an error code in the JSON body, so success is decided by the
platform's own code, never by the status line alone.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import httpx

from alerts.errors import NotifierError, RateLimited


class Notifier(Protocol):
    kind: str

    def send(self, message: Mapping[str, Any], *, idempotency_key: str, now: datetime) -> str:
        """Deliver; return a short detail for the audit log, or raise NotifierError / RateLimited."""
        ...

    def close(self) -> None: ...


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~50 ms; a client per delivery pass would pay it every time.
    return httpx.create_ssl_context()


def make_client(transport: httpx.BaseTransport | None, timeout_s: float) -> httpx.Client:
    # Never follow redirects: a bot endpoint that redirects is misconfigured, and following could leak
    # the signed body to another host.
    return httpx.Client(
        transport=transport, timeout=httpx.Timeout(timeout_s), follow_redirects=False, verify=_ssl_context()
    )


class HttpNotifier:
    """Shared state of the HTTP notifiers: the endpoint, an optional signing secret and one client."""

    kind = "http"

    def __init__(
        self,
        url: str,
        *,
        secret: str | None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.url = url
        self._secret = secret
        self._client = make_client(transport, timeout_s)

    def close(self) -> None:
        self._client.close()


def post_json(
    client: httpx.Client,
    url: str,
    body: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    try:
        if content is not None:
            return client.post(
                url, content=content, headers={"Content-Type": "application/json", **(headers or {})}
            )
        return client.post(url, json=body, headers=headers)
    except httpx.TimeoutException as exc:
        raise NotifierError(f"timeout: {type(exc).__name__}", permanent=False) from exc
    except httpx.HTTPError as exc:
        raise NotifierError(f"transport error: {type(exc).__name__}: {exc}", permanent=False) from exc


def check_http_status(response: httpx.Response) -> None:
    status = response.status_code
    if status == 429:
        raise RateLimited("HTTP 429")
    if status >= 500 or status in (408, 425):
        raise NotifierError(f"HTTP {status}", permanent=False)
    if status >= 400:
        # 4xx: wrong URL, wrong key or a rejected signature; retrying the same request cannot help.
        raise NotifierError(f"HTTP {status}", permanent=True)
    if 300 <= status < 400:
        raise NotifierError(f"HTTP {status} redirect (not followed)", permanent=True)


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise NotifierError(f"HTTP {response.status_code} with a non-JSON body", permanent=False) from exc
    if not isinstance(data, dict):
        raise NotifierError("response body is not a JSON object", permanent=False)
    return data


def classify_code(
    platform: str,
    code: object,
    message: object,
    *,
    permanent: frozenset[int],
    rate_limited: frozenset[int],
    rate_retry_after_s: float = 60.0,
) -> None:
    """Raise for a non-zero platform code. Unknown codes are retried: bounded retries cost little,
    while wrongly disabling a channel silences every later alert."""
    if code == 0:
        return
    if code is None:
        # HTTP 200 without the platform's code is not a success (a proxy, a captive portal, a wrong
        # endpoint answering {}): retried like any unknown failure and counted against the channel.
        raise NotifierError(f"{platform}: HTTP 200 without the platform's success code", permanent=False)
    text = f"{platform} code {code}: {message}"
    if isinstance(code, int) and code in rate_limited:
        raise RateLimited(text, retry_after_s=rate_retry_after_s)
    if isinstance(code, int) and code in permanent:
        raise NotifierError(text, permanent=True)
    raise NotifierError(text, permanent=False)
