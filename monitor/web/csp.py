"""A strict Content-Security-Policy on every answer.

Scripts and styles run only from our own origin (vendored files such as ECharts) or when they carry this
response's nonce (the console's small inline blocks in ``base.html``); no inline event handlers, no
``javascript:`` URLs, no style attributes, no plugins, no framing, forms post only to us. An injection
that slipped past autoescaping therefore cannot run. The nonce is fresh per response and reaches the
templates as ``csp_nonce`` (``monitor.web.templating.render``).
"""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NONCE_KEY = "csp_nonce"


def policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


class ContentSecurityPolicy:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})[NONCE_KEY] = nonce
        header = policy(nonce).encode("ascii")

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", header)]
            await send(message)

        await self.app(scope, receive, send_with_policy)
