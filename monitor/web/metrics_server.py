"""``/metrics`` on its own loopback port without a token (``--metrics-listen``), for a local Prometheus.

The console's ``/metrics`` needs a bearer token like every API route. A scraper on the same host (or a
sidecar sharing the network namespace) is simpler to run without one, so this serves only the metrics,
only on a loopback address, from a small standard-library server in a daemon thread.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy.engine import Engine

from monitor.errors import UsageError
from monitor.web.metrics import render_metrics


def check_loopback(host: str) -> None:
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise UsageError(
            f"--metrics-listen serves metrics without a token, so only on loopback (got {host!r}); "
            "scrape the console's /metrics with a token from elsewhere"
        )


class MetricsServer:
    def __init__(
        self,
        engine: Engine,
        *,
        host: str,
        port: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        check_loopback(host)
        self.engine = engine
        self.clock = clock
        try:
            self._httpd = ThreadingHTTPServer((host, port), self._handler())
        except OSError as exc:
            raise UsageError(f"metrics: cannot listen on {host}:{port}: {exc.strerror}") from exc
        self._httpd.daemon_threads = True
        self.url = f"http://{host}:{self._httpd.server_address[1]}/metrics"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="metrics", daemon=True)

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                try:
                    body, content_type = render_metrics(server.engine, server.clock())
                except Exception:  # a database hiccup is a failed scrape, not a dead thread
                    self.send_error(503, "database unavailable")
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # Prometheus scrapes every 15 s; access lines would drown the daemon's events

        return Handler
