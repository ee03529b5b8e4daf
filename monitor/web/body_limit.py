"""Refuse oversized request bodies before any work, authentication included.

FastAPI reads and parses a JSON body before it runs the route's dependencies, so without this an
anonymous 300 MB POST was read into memory and only then answered 401 (issue 11). This plain ASGI
middleware sits outermost: a declared ``Content-Length`` over the limit is answered 413 before a byte of
the body is read; a chunked body is counted while it streams and cut off with 413 the moment it passes
the limit (the application then sees a disconnect and its own answer is dropped).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A draft is at most MAX_DRAFT_CHARS (1,000,000) characters: 3 MB of UTF-8 Chinese, up to 6 MB when a
# client escapes every character as \\uXXXX in JSON. Nothing else the API accepts comes near it.
MAX_BODY_BYTES = 8 * 1024 * 1024


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"request body larger than {self.max_bytes:,} bytes"}, ensure_ascii=False
        ).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode("ascii")),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await self._refuse(send)
                return
        received = 0
        refused = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # our 413 is the answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise
            # the application gave up on the disconnect we fed it; the client already has its 413
