"""Serving the console from inside another long-running command (``brandguard run``, ``brandguard demo``).

uvicorn runs in a daemon thread with its own event loop; the daemon's ticks keep running on the
scheduler's threads. Binding happens before the thread starts so that a port already in use is a
one-line error at start-up, not a log line from a thread nobody reads.
"""

from __future__ import annotations

import socket
import threading
from typing import TYPE_CHECKING

from monitor.errors import UsageError

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI


class BackgroundServer:
    def __init__(self, app: FastAPI, *, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> None:
        import uvicorn

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            where = f"{self.host}:{self.port}"
            raise UsageError(f"web console: cannot listen on {where}: {exc.strerror}") from exc
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", proxy_headers=False))
        # uvicorn would install its own SIGINT/SIGTERM handlers; the hosting command owns the signals.
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign,attr-defined,unused-ignore]
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="web-console", daemon=True
        )
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout_s)
