from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import httpcore
import httpx
import pytest

from monitor.fetch import DEFAULT_USER_AGENT, FetchPolicy, FetchResult, Validators, fetch
from monitor.fetch.decompress import ACCEPT_ENCODING
from monitor.fetch.errors import BlockedURLError
from monitor.fetch.pinned_transport import GuardedNetworkBackend, guarded_transport

NOW = datetime(2025, 6, 10, tzinfo=UTC)
FEED = "https://feed.example/rss"
BODY = b"<rss><channel><title>x</title></channel></rss>"
POLICY = FetchPolicy(allow_hosts=frozenset({"feed.example", "mirror.example"}), max_bytes=64 * 1024)

Handler = Callable[[httpx.Request], httpx.Response]


class _Chunks(httpx.AsyncByteStream):
    """A body that streams like a real socket (httpx.Response(content=...) arrives pre-read)."""

    def __init__(self, data: bytes, size: int = 4096) -> None:
        self._parts = [data[i : i + size] for i in range(0, len(data), size)]

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for part in self._parts:
            yield part


def _resp(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> httpx.Response:
    headers = dict(headers or {})
    if body:
        headers.setdefault("Content-Length", str(len(body)))
    return httpx.Response(status, headers=headers, stream=_Chunks(body))


def _run(handler: Handler, url: str = FEED, **kw: object) -> tuple[FetchResult, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    async def go() -> FetchResult:
        async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as client:
            return await fetch(url, client=client, now=NOW, **{"policy": POLICY, **kw})  # type: ignore[arg-type]

    return asyncio.run(go()), seen


def test_ok_returns_body_validators_and_hash() -> None:
    result, seen = _run(lambda r: _resp(200, BODY, {"ETag": '"a"', "Last-Modified": "x"}))
    assert result.status == "ok"
    assert result.body == BODY
    assert result.http_status == 200
    assert result.validators == Validators('"a"', "x", hashlib.sha256(BODY).hexdigest())
    assert result.final_url == FEED and result.error is None and not result.permanent
    assert seen[0].headers["user-agent"] == DEFAULT_USER_AGENT
    assert seen[0].headers["accept-encoding"] == ACCEPT_ENCODING  # only what we decode with a cap
    assert "if-none-match" not in seen[0].headers


def test_conditional_get_sends_validators_and_304_keeps_them() -> None:
    old = Validators(etag='"v1"', last_modified="Tue, 10 Jun 2025 00:00:00 GMT", body_sha256="abc")
    result, seen = _run(lambda r: httpx.Response(304), validators=old)
    assert seen[0].headers["if-none-match"] == '"v1"'
    assert seen[0].headers["if-modified-since"] == old.last_modified
    assert result.status == "not_modified"
    assert result.body is None
    assert result.validators == old


def test_304_with_a_new_etag_updates_it() -> None:
    result, _ = _run(
        lambda r: httpx.Response(304, headers={"ETag": '"v2"'}), validators=Validators(etag='"v1"')
    )
    assert result.validators.etag == '"v2"'


def test_same_body_hash_is_unchanged_without_body() -> None:
    old = Validators(body_sha256=hashlib.sha256(BODY).hexdigest())
    result, _ = _run(lambda r: _resp(200, BODY), validators=old)
    assert result.status == "unchanged"
    assert result.body is None
    assert result.validators.body_sha256 == old.body_sha256


@pytest.mark.parametrize(
    ("code", "status", "permanent"),
    [
        (404, "error", True),
        (410, "error", True),
        (403, "error", False),
        (500, "error", False),
        (502, "error", False),
        (204, "ok", False),
        (429, "retry_later", False),
        (503, "retry_later", False),
        (300, "error", False),
        (302, "error", False),
    ],  # 3xx without Location
)
def test_status_codes(code: int, status: str, permanent: bool) -> None:
    result, _ = _run(lambda r: _resp(code))
    assert (result.status, result.permanent, result.http_status) == (status, permanent, code)
    if status == "error":
        assert str(code) in (result.error or "")


def test_retry_after_is_parsed_relative_to_now() -> None:
    result, _ = _run(lambda r: httpx.Response(429, headers={"Retry-After": "Tue, 10 Jun 2025 00:05:00 GMT"}))
    assert result.retry_after_s == 300.0


def test_errors_keep_the_callers_validators() -> None:
    old = Validators(etag='"v1"', body_sha256="abc")
    result, _ = _run(lambda r: httpx.Response(500), validators=old)
    assert result.validators == old


def test_gzip_body_is_decoded_and_capped() -> None:
    result, _ = _run(lambda r: _resp(200, gzip.compress(BODY), headers={"Content-Encoding": "gzip"}))
    assert result.body == BODY
    bomb = gzip.compress(bytes(10 * 1024 * 1024))
    result, _ = _run(lambda r: _resp(200, bomb, {"Content-Encoding": "gzip"}))
    assert result.status == "error" and "limit" in (result.error or "")


def test_honest_content_length_over_the_limit_is_refused_before_reading() -> None:
    big = b"x" * (POLICY.max_bytes + 1)
    result, _ = _run(lambda r: _resp(200, big))
    assert result.status == "error"
    assert "Content-Length" in (result.error or "")


def test_redirects_are_followed_by_hand_and_checked_per_hop() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "feed.example":
            return httpx.Response(301, headers={"Location": "https://mirror.example/rss2"})
        return _resp(200, BODY)

    result, seen = _run(handler)
    assert result.status == "ok"
    assert result.final_url == "https://mirror.example/rss2"
    assert [str(r.url) for r in seen] == [FEED, "https://mirror.example/rss2"]


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://[::1]/",
        "http://2130706433/",
        "http://localhost:8080/admin",
        "file:///etc/passwd",
    ],
)
def test_redirect_to_internal_address_is_blocked_before_connecting(location: str) -> None:
    result, seen = _run(lambda r: httpx.Response(302, headers={"Location": location}))
    assert result.status == "error"
    assert result.permanent
    assert len(seen) == 1  # the refused hop was never requested
    assert "allow_networks" in (result.error or "") or "scheme" in (result.error or "")


def test_redirect_loop_and_limit() -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        nxt = "/b" if request.url.path == "/rss" else "/rss"
        return httpx.Response(302, headers={"Location": nxt})

    result, seen = _run(loop)
    assert result.status == "error" and result.permanent and "loop" in (result.error or "")
    assert len(seen) == 2

    def chain(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": request.url.path + "x"})

    result, seen = _run(chain, policy=FetchPolicy(allow_hosts=POLICY.allow_hosts, max_redirects=3))
    assert result.status == "error" and "more than 3 redirects" in (result.error or "")
    assert len(seen) == 4


def test_credentials_are_not_forwarded_to_another_origin() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "feed.example":
            return httpx.Response(302, headers={"Location": "https://mirror.example/rss"})
        return _resp(200, BODY)

    policy = FetchPolicy(
        allow_hosts=POLICY.allow_hosts, headers={"Authorization": "Bearer s3cret", "X-Tenant": "a"}
    )
    _, seen = _run(handler, policy=policy)
    assert seen[0].headers["authorization"] == "Bearer s3cret"
    assert "authorization" not in seen[1].headers
    assert seen[1].headers["x-tenant"] == "a"


def test_a_client_that_follows_redirects_itself_is_overridden() -> None:
    async def go() -> FetchResult:
        transport = httpx.MockTransport(
            lambda r: httpx.Response(302, headers={"Location": "http://10.0.0.1/"})
        )
        async with httpx.AsyncClient(transport=transport, follow_redirects=True) as client:
            return await fetch(FEED, policy=POLICY, client=client, now=NOW)

    assert asyncio.run(go()).status == "error"


def test_transport_errors_become_results() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    result, _ = _run(boom)
    assert result.status == "error" and not result.permanent
    assert "ConnectError" in (result.error or "")


def test_guarded_transport_pins_connections_through_our_backend() -> None:
    # Fails loudly if httpx moves the attribute we rely on (see pinned_transport docstring).
    transport = guarded_transport(FetchPolicy())
    assert isinstance(transport._pool._network_backend, GuardedNetworkBackend)  # type: ignore[attr-defined]


def test_backend_checks_the_address_it_connects_to() -> None:
    # The DNS-rebinding defence: even if a name passed the pre-check, the connect step resolves and
    # checks again and connects only to an address it checked.
    connected: list[str] = []

    class Recorder(httpcore.AsyncNetworkBackend):
        async def connect_tcp(self, host: str, port: int, **kw: object) -> httpcore.AsyncNetworkStream:
            connected.append(host)
            raise httpcore.ConnectError("recorded")

    backend = GuardedNetworkBackend(FetchPolicy(), inner=Recorder())
    with pytest.raises(BlockedURLError, match="loopback"):
        asyncio.run(backend.connect_tcp("localhost", 80))
    allowed = GuardedNetworkBackend(FetchPolicy(allow_networks=("127.0.0.0/8", "::1/128")), inner=Recorder())
    with pytest.raises(httpcore.ConnectError):
        asyncio.run(allowed.connect_tcp("localhost", 80))
    assert "127.0.0.1" in connected  # the checked literals (every one, in turn), never the name
    assert set(connected) <= {"127.0.0.1", "::1"}


def test_a_pre_read_body_from_a_callers_transport_is_an_error_not_a_crash() -> None:
    # httpx.Response(content=...) is already decoded, so the raw-byte caps cannot apply to it.
    result, _ = _run(lambda r: httpx.Response(200, content=BODY))
    assert result.status == "error"
    assert "StreamConsumed" in (result.error or "")
