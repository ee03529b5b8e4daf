"""A real HTTP server on 127.0.0.1 that misbehaves on purpose, for fetch and daemon integration tests.

Usage::

    from tests.integration.misbehaving_server import misbehaving_server, static, drip_body

    with misbehaving_server() as server:              # standard misbehaviour routes pre-installed
        server.route("/feed.xml", static(RSS_BYTES))  # add or replace routes by exact path
        url = server.url("/feed.xml")                 # or f"{server.base_url}/feed.xml"
        ... fetch(url, policy=FetchPolicy(allow_networks=("127.0.0.0/8",))) ...
        assert server.hits["/feed.xml"] == 1          # per-path request counter
        server.requests[-1].headers["if-none-match"]  # every request is recorded

The server runs ``http.server.ThreadingHTTPServer`` in a daemon thread on an ephemeral port; each
request gets its own thread, so a route that drips one byte a second blocks nobody else. Leaving the
``with`` block stops the server and wakes every sleeping route (``Responder.pause`` returns False).

Also here: ``blackhole_port()`` (a loopback port whose connect() hangs, for connect timeouts) and
``misbehaving_server(tls=server_ssl_context)`` for HTTPS (see tests/integration/test_fetch_tls.py).

For "the next check time still moves on" tests: point a source at ``server.url("/status/500")``,
``/hang`` or ``/retry-seconds``, run the crawl, and assert on ``server.hits[path]`` and the stored schedule.

A route is ``Callable[[RecordedRequest, Responder], None]`` and writes raw bytes, so it can lie about
Content-Length, stop half-way, or never answer. Factories below build the usual ones; the standard
routes (see ``standard_routes``) are:

    /ok                       small RSS feed, ETag "v1"; 304 when If-None-Match matches
    /slow-headers             status line and headers dripped one byte per second
    /slow-body                headers at once, then the body one byte per second
    /hang                     accepts the request and never answers
    /status/500, /status/404, /status/410
    /retry-seconds            503 Retry-After: 120
    /retry-date               429 Retry-After: <HTTP date 1 hour after 2025-06-10T00:00Z>
    /retry-garbage            503 Retry-After: soon-ish
    /redirect-loop            /redirect-loop -> /redirect-loop-b -> /redirect-loop
    /redirect-metadata        302 to http://169.254.169.254/latest/meta-data/
    /redirect-private         302 to http://10.0.0.1/feed.xml
    /oversize                 20 MB with an honest Content-Length
    /oversize-chunked         20 MB without Content-Length (connection close delimited)
    /lying-length             Content-Length: 100, then 20 MB of body
    /gzip-bomb                Content-Encoding: gzip, ~100 KB on the wire, 100 MB decoded
    /empty                    200 with an empty body
"""

from __future__ import annotations

import email.utils
import functools
import socket
import ssl
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import BinaryIO

SMALL_RSS = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    b"<item><guid>1</guid><title>hello</title><link>http://example.com/1</link>"
    b"<pubDate>Tue, 10 Jun 2025 08:00:00 +0800</pubDate></item></channel></rss>"
)
RETRY_DATE_BASE = datetime(2025, 6, 10, tzinfo=UTC)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names


class Responder:
    """Raw access to the client connection for one request."""

    def __init__(self, wfile: BinaryIO, stopping: threading.Event) -> None:
        self._wfile = wfile
        self._stopping = stopping

    def raw(self, data: bytes) -> None:
        self._wfile.write(data)
        self._wfile.flush()

    def pause(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; False means stop writing now."""
        return not self._stopping.wait(seconds)

    def head(self, status: int, headers: Iterable[tuple[str, str]] = ()) -> None:
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Whatever"
        lines = [f"HTTP/1.1 {status} {phrase}", "Connection: close", *(f"{k}: {v}" for k, v in headers)]
        self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def send(
        self,
        status: int,
        body: bytes = b"",
        headers: Iterable[tuple[str, str]] = (),
        *,
        content_length: int | None = -1,
    ) -> None:
        """Write a whole response; ``content_length`` -1 = honest, None = omit, any other = that lie."""
        headers = list(headers)
        if content_length == -1:
            headers.append(("Content-Length", str(len(body))))
        elif content_length is not None:
            headers.append(("Content-Length", str(content_length)))
        self.head(status, headers)
        if body:
            self.raw(body)


Route = Callable[[RecordedRequest, Responder], None]


class MisbehavingServer:
    def __init__(self, httpd: ThreadingHTTPServer, stopping: threading.Event) -> None:
        host, port = httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.port = int(port)
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = stopping

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, handler: Route) -> None:
        self.routes[path] = handler

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        path, _, query = handler.path.partition("?")
        request = RecordedRequest(
            method=handler.command,
            path=path,
            query=query,
            headers={k.lower(): v for k, v in handler.headers.items()},
        )
        with self._lock:
            self.hits[path] += 1
            self.requests.append(request)
        responder = Responder(handler.wfile, self._stopping)
        route = self.routes.get(path)
        try:
            if route is None:
                responder.send(404, b"no such route", [("Content-Type", "text/plain")])
            else:
                route(request, responder)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (deadline, size cap): exactly what many tests provoke


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.owner._dispatch(self)

    do_HEAD = do_GET
    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops SYNs when a test fires many concurrent fetches
    owner: MisbehavingServer


@contextmanager
def misbehaving_server(
    routes: Mapping[str, Route] | None = None,
    *,
    standard: bool = True,
    tls: ssl.SSLContext | None = None,
) -> Iterator[MisbehavingServer]:
    """Start the server; ``standard=False`` leaves out standard_routes(); ``tls`` (a server-side
    SSLContext) serves HTTPS and makes base_url https://."""
    stopping = threading.Event()
    httpd = _Server(("127.0.0.1", 0), _Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    server = MisbehavingServer(httpd, stopping)
    if tls is not None:
        server.base_url = server.base_url.replace("http://", "https://", 1)
    httpd.owner = server
    if standard:
        server.routes.update(standard_routes())
    server.routes.update(routes or {})
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@contextmanager
def blackhole_port() -> Iterator[int]:
    """A loopback port whose listen queue is full, so a new connect() hangs until the client times out.

    Linux completes handshakes for backlog+1 connections without accept(); we fill that queue with our
    own sockets and never accept, so further SYNs are dropped and the client's connect times out.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            with suppress(BlockingIOError):
                s.connect(("127.0.0.1", port))
            fillers.append(s)
        yield port
    finally:
        for s in fillers:
            s.close()
        listener.close()


# ---- route factories -------------------------------------------------------------------------------


def static(
    body: bytes,
    *,
    status: int = 200,
    content_type: str = "application/rss+xml; charset=utf-8",
    headers: Iterable[tuple[str, str]] = (),
) -> Route:
    def route(request: RecordedRequest, out: Responder) -> None:
        out.send(status, body, [("Content-Type", content_type), *headers])

    return route


def conditional(
    body: bytes, *, etag: str, last_modified: str | None = None, content_type: str = "application/rss+xml"
) -> Route:
    """200 with ETag (and Last-Modified); 304 when the request's validators match."""

    def route(request: RecordedRequest, out: Responder) -> None:
        validators = [("ETag", etag)] + ([("Last-Modified", last_modified)] if last_modified else [])
        inm = request.headers.get("if-none-match")
        ims = request.headers.get("if-modified-since")
        if inm == etag or (inm is None and last_modified is not None and ims == last_modified):
            out.send(304, b"", validators, content_length=None)
        else:
            out.send(200, body, [("Content-Type", content_type), *validators])

    return route


def status(code: int, body: bytes = b"error", headers: Iterable[tuple[str, str]] = ()) -> Route:
    return static(body, status=code, content_type="text/plain", headers=headers)


def retry_after(value: str, *, code: int = 503) -> Route:
    return status(code, b"slow down", [("Retry-After", value)])


def redirect(location: str, *, code: int = 302) -> Route:
    return status(code, b"", [("Location", location)])


def drip_body(body: bytes, *, interval_s: float = 1.0) -> Route:
    """Honest headers at once, then one byte per ``interval_s``: per-read timeouts never trip."""

    def route(request: RecordedRequest, out: Responder) -> None:
        out.head(200, [("Content-Type", "application/rss+xml"), ("Content-Length", str(len(body)))])
        for i in range(len(body)):
            if not out.pause(interval_s):
                return
            out.raw(body[i : i + 1])

    return route


def drip_headers(*, interval_s: float = 1.0) -> Route:
    def route(request: RecordedRequest, out: Responder) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 2\r\n\r\nok":
            if not out.pause(interval_s):
                return
            out.raw(bytes([byte]))

    return route


def hang() -> Route:
    def route(request: RecordedRequest, out: Responder) -> None:
        out.pause(3600)

    return route


def big_body(size: int, *, content_length: int | None = -1, chunk: int = 64 * 1024) -> Route:
    """``size`` bytes streamed; Content-Length honest (-1), omitted (None) or the given lie."""

    def route(request: RecordedRequest, out: Responder) -> None:
        declared = size if content_length == -1 else content_length
        headers = [("Content-Type", "application/rss+xml")]
        if declared is not None:
            headers.append(("Content-Length", str(declared)))
        out.head(200, headers)
        sent = 0
        block = b"x" * chunk
        while sent < size:
            out.raw(block[: size - sent])
            sent += len(block)

    return route


@functools.cache
def gzip_zeros(decoded_size: int) -> bytes:
    """gzip of ``decoded_size`` zero bytes, built in 1 MB steps so the test process never holds it all."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [
        compressor.compress(block[: min(len(block), decoded_size - done)])
        for done in range(0, decoded_size, len(block))
    ]
    parts.append(compressor.flush())
    return b"".join(parts)


def gzip_bomb(decoded_size: int = 100 * 1024 * 1024) -> Route:
    def route(request: RecordedRequest, out: Responder) -> None:
        payload = gzip_zeros(decoded_size)
        out.send(200, payload, [("Content-Type", "application/rss+xml"), ("Content-Encoding", "gzip")])

    return route


def http_date(when: datetime) -> str:
    return email.utils.format_datetime(when.astimezone(UTC), usegmt=True)


def standard_routes() -> dict[str, Route]:
    twenty_mb = 20 * 1024 * 1024
    return {
        "/ok": conditional(SMALL_RSS, etag='"v1"'),
        "/slow-headers": drip_headers(),
        "/slow-body": drip_body(SMALL_RSS),
        "/hang": hang(),
        "/status/500": status(500),
        "/status/404": status(404),
        "/status/410": status(410),
        "/retry-seconds": retry_after("120"),
        "/retry-date": retry_after(http_date(RETRY_DATE_BASE + timedelta(hours=1)), code=429),
        "/retry-garbage": retry_after("soon-ish"),
        "/redirect-loop": redirect("/redirect-loop-b"),
        "/redirect-loop-b": redirect("/redirect-loop"),
        "/redirect-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/redirect-private": redirect("http://10.0.0.1/feed.xml"),
        "/oversize": big_body(twenty_mb),
        "/oversize-chunked": big_body(twenty_mb, content_length=None),
        "/lying-length": big_body(twenty_mb, content_length=100),
        "/gzip-bomb": gzip_bomb(),
        "/empty": static(b""),
    }
