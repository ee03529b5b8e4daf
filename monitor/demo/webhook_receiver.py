"""A loopback webhook endpoint that records what the demo's notification channel sends."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookReceiver:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-webhook", daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/hook"

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def unique_messages(self) -> list[dict[str, Any]]:
        """One per idempotency key: at-least-once delivery may repeat a message."""
        with self._lock:
            seen: dict[str, dict[str, Any]] = {}
            for message in self.messages:
                seen.setdefault(str(message.get("idempotency_key", id(message))), message)
            return list(seen.values())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    message = json.loads(raw or b"{}")
                except ValueError:
                    message = {"raw": raw.decode("utf-8", "replace")}
                with receiver._lock:
                    receiver.messages.append(message if isinstance(message, dict) else {"body": message})
                body = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
