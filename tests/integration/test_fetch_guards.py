"""The fetch guards against a real misbehaving server on 127.0.0.1 (allowlisted for these tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpcore
import pytest

from monitor.fetch import FetchPolicy, FetchResult, Validators, fetch, fetch_sync
from tests.integration.misbehaving_server import (
    RETRY_DATE_BASE,
    MisbehavingServer,
    blackhole_port,
    misbehaving_server,
    static,
)

pytestmark = pytest.mark.integration

LOOPBACK = FetchPolicy(
    allow_networks=("127.0.0.0/8",), deadline_s=1.5, connect_timeout_s=1.0, max_bytes=1 << 20
)


@pytest.fixture(scope="module")
def server() -> Iterator[MisbehavingServer]:
    with misbehaving_server() as s:
        yield s


def _get(url: str, policy: FetchPolicy = LOOPBACK, **kw: object) -> FetchResult:
    return fetch_sync(url, policy=policy, now=RETRY_DATE_BASE, **kw)


def test_loopback_is_blocked_without_the_allowlist(server: MisbehavingServer) -> None:
    before = server.hits["/ok"]
    result = _get(server.url("/ok"), FetchPolicy())
    assert result.status == "error" and result.permanent
    assert "loopback" in (result.error or "")
    assert server.hits["/ok"] == before  # refused before any connection


@pytest.mark.parametrize(
    ("host", "allowlisted"),
    # httpx itself refuses the octal form as an invalid URL; any of the others reaches the server only
    # when 127.0.0.0/8 is allowlisted, because the guard checks what getaddrinfo made of the string.
    [("2130706433", "ok"), ("0x7f000001", "ok"), ("127.1", "ok"), ("0177.0.0.1", "error")],
)
def test_numeric_spellings_of_loopback_are_recognised(
    server: MisbehavingServer, host: str, allowlisted: str
) -> None:
    url = f"http://{host}:{server.port}/ok"
    blocked = _get(url, FetchPolicy())
    assert blocked.status == "error" and blocked.permanent
    assert ("loopback" if allowlisted == "ok" else "invalid URL") in (blocked.error or "")
    assert _get(url).status == allowlisted


def test_ok_then_304_then_unchanged(server: MisbehavingServer) -> None:
    first = _get(server.url("/ok"))
    assert first.status == "ok" and first.validators.etag == '"v1"' and first.body
    second = _get(server.url("/ok"), validators=first.validators)
    assert second.status == "not_modified"
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    third = _get(server.url("/ok"), validators=Validators(body_sha256=first.validators.body_sha256))
    assert third.status == "unchanged" and third.body is None


@pytest.mark.parametrize(
    ("path", "code", "permanent"),
    [("/status/500", 500, False), ("/status/404", 404, True), ("/status/410", 410, True)],
)
def test_http_errors(server: MisbehavingServer, path: str, code: int, permanent: bool) -> None:
    result = _get(server.url(path))
    assert (result.status, result.http_status, result.permanent) == ("error", code, permanent)


@pytest.mark.parametrize(
    ("path", "code", "retry_after"),
    [("/retry-seconds", 503, 120.0), ("/retry-date", 429, 3600.0), ("/retry-garbage", 503, None)],
)
def test_retry_later(server: MisbehavingServer, path: str, code: int, retry_after: float | None) -> None:
    result = _get(server.url(path))
    assert (result.status, result.http_status, result.retry_after_s) == ("retry_later", code, retry_after)
    assert not result.permanent


@pytest.mark.parametrize("path", ["/slow-headers", "/slow-body", "/hang"])
def test_overall_deadline_stops_slow_servers(server: MisbehavingServer, path: str) -> None:
    started = time.monotonic()
    result = _get(server.url(path), FetchPolicy(allow_networks=("127.0.0.0/8",), deadline_s=1.0))
    elapsed = time.monotonic() - started
    assert result.status == "error" and "deadline of 1 s exceeded" in (result.error or "")
    assert 0.9 <= elapsed < 2.0
    assert result.elapsed_s == pytest.approx(elapsed, abs=0.2)


def test_connect_timeout_on_a_port_that_never_accepts() -> None:
    with blackhole_port() as port:
        started = time.monotonic()
        result = _get(
            f"http://127.0.0.1:{port}/", FetchPolicy(allow_networks=("127.0.0.0/8",), connect_timeout_s=0.5)
        )
        assert time.monotonic() - started < 1.5
    assert result.status == "error" and "connect timeout" in (result.error or "")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/oversize", "Content-Length 20971520 exceeds"),
        ("/oversize-chunked", "body exceeds"),
        ("/gzip-bomb", "decoded body exceeds"),
    ],
)
def test_size_caps(server: MisbehavingServer, path: str, message: str) -> None:
    started = time.monotonic()
    result = _get(server.url(path))
    assert result.status == "error" and message in (result.error or "")
    assert time.monotonic() - started < 1.5


def test_lying_small_content_length_yields_at_most_the_declared_bytes(server: MisbehavingServer) -> None:
    result = _get(server.url("/lying-length"))
    assert result.status == "ok" and len(result.body or b"") == 100


def test_redirect_loop(server: MisbehavingServer) -> None:
    result = _get(server.url("/redirect-loop"))
    assert result.status == "error" and result.permanent and "redirect loop" in (result.error or "")


@pytest.mark.parametrize(
    ("path", "target"), [("/redirect-metadata", "169.254.169.254"), ("/redirect-private", "10.0.0.1")]
)
def test_redirect_from_allowed_host_to_internal_address_is_blocked_before_connecting(
    server: MisbehavingServer, path: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    connected: list[str] = []
    real_connect = httpcore.AnyIOBackend.connect_tcp

    async def spy(
        self: httpcore.AnyIOBackend, host: str, port: int, **kw: object
    ) -> httpcore.AsyncNetworkStream:
        connected.append(host)
        return await real_connect(self, host, port, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", spy)
    result = _get(server.url(path))
    assert result.status == "error" and result.permanent
    assert target in (result.error or "")
    assert connected == ["127.0.0.1"]  # only the allowed first hop was ever connected to


def test_redirect_within_the_server_is_followed(server: MisbehavingServer) -> None:
    server.route("/moved", static(b"", status=301, headers=[("Location", "/ok")]))
    result = _get(server.url("/moved"))
    assert result.status == "ok" and result.final_url == server.url("/ok")


def test_many_fetches_share_one_event_loop(server: MisbehavingServer) -> None:
    async def many() -> list[FetchResult]:
        return await asyncio.gather(
            *(fetch(server.url(p), policy=LOOPBACK) for p in ["/ok", "/status/500", "/hang"])
        )

    statuses = [r.status for r in asyncio.run(many())]
    assert statuses == ["ok", "error", "error"]
