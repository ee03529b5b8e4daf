"""One guarded GET of a source URL: redirects by hand, overall deadline, capped body, conditional GET.

Every failure becomes a ``FetchResult`` (status "error" or "retry_later") instead of an exception, so
the scheduler can record it and move the source's next check time on.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from monitor.errors import FetchError
from monitor.fetch.address_guard import check_url
from monitor.fetch.decompress import ACCEPT_ENCODING, CappedDecoder
from monitor.fetch.errors import BlockedURLError, ResponseTooLargeError, TooManyRedirectsError
from monitor.fetch.pinned_transport import guarded_client
from monitor.fetch.policy import FetchPolicy, Validators
from monitor.fetch.retry_after import parse_retry_after

FetchStatus = Literal["ok", "not_modified", "unchanged", "retry_later", "error"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_LATER_STATUSES = frozenset({429, 503})
PERMANENT_STATUSES = frozenset({404, 410})
ERROR_BODY_BYTES = 64 * 1024
# Sent by us for one origin only: never forwarded to a different origin on a redirect.
_ORIGIN_BOUND_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(frozen=True)
class FetchResult:
    status: FetchStatus
    url: str
    final_url: str
    http_status: int | None
    body: bytes | None
    headers: Mapping[str, str]
    validators: Validators
    retry_after_s: float | None
    error: str | None
    permanent: bool
    elapsed_s: float


@dataclass
class _Attempt:
    """Mutable state of one fetch while it walks redirects."""

    url: str
    validators: Validators
    started: float
    final_url: str = ""
    http_status: int | None = None
    headers: Mapping[str, str] | None = None

    def result(self, status: FetchStatus, **kw: Any) -> FetchResult:
        fields: dict[str, Any] = {
            "url": self.url,
            "final_url": self.final_url or self.url,
            "http_status": self.http_status,
            "body": None,
            "headers": dict(self.headers or {}),
            "validators": self.validators,
            "retry_after_s": None,
            "error": None,
            "permanent": False,
            "elapsed_s": time.monotonic() - self.started,
        }
        fields.update(kw)
        return FetchResult(status=status, **fields)


async def fetch(
    url: str,
    *,
    validators: Validators = Validators(),  # noqa: B008 - frozen, shared default is safe
    policy: FetchPolicy = FetchPolicy(),  # noqa: B008
    client: httpx.AsyncClient | None = None,
    now: datetime | None = None,
) -> FetchResult:
    """Fetch ``url`` under ``policy``; never raises for network, HTTP or guard failures.

    ``client`` is for tests and connection reuse; without one, a client that pins every connection to
    an address the SSRF guard checked is created (see pinned_transport). With a caller's client the
    guard still checks every hop's resolved addresses before the request is sent.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("fetch needs a tz-aware `now` (UTC)")
    attempt = _Attempt(url=url, validators=validators, started=time.monotonic())
    now = now or datetime.now(UTC)
    own_client = client is None
    active = client or guarded_client(policy)
    try:
        # Per-read timeouts do not stop a server that drips one byte a second: this bounds the whole
        # request, DNS, every redirect hop and the body included.
        async with asyncio.timeout(policy.deadline_s):
            return await _walk(active, attempt, policy, now)
    except TimeoutError:
        return attempt.result("error", error=f"deadline of {policy.deadline_s:g} s exceeded")
    except httpx.ConnectTimeout:
        return attempt.result("error", error=f"connect timeout after {policy.connect_timeout_s:g} s")
    except httpx.TimeoutException as exc:
        return attempt.result("error", error=f"timeout: {type(exc).__name__}")
    except (BlockedURLError, TooManyRedirectsError) as exc:
        return attempt.result("error", error=str(exc), permanent=True)
    except FetchError as exc:
        return attempt.result("error", error=str(exc))
    except httpx.InvalidURL as exc:
        return attempt.result("error", error=f"invalid URL: {exc}", permanent=True)
    except httpx.HTTPError as exc:
        return attempt.result("error", error=f"{type(exc).__name__}: {exc or 'connection failed'}")
    except httpx.StreamError as exc:  # a caller's transport that pre-reads bodies; ours never does
        return attempt.result("error", error=f"{type(exc).__name__}: {exc}")
    finally:
        if own_client:
            await active.aclose()


def fetch_sync(url: str, **kw: Any) -> FetchResult:
    """Blocking wrapper for one-off use (``brandguard sources test``); not for use inside an event loop."""
    return asyncio.run(fetch(url, **kw))


def _request_headers(policy: FetchPolicy, validators: Validators, *, same_origin: bool) -> dict[str, str]:
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
    for name, value in policy.headers.items():
        if same_origin or name.lower() not in _ORIGIN_BOUND_HEADERS:
            headers[name] = value
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


async def _walk(
    client: httpx.AsyncClient, attempt: _Attempt, policy: FetchPolicy, now: datetime
) -> FetchResult:
    current = httpx.URL(attempt.url)
    origin = (current.scheme, current.host, current.port)
    seen = {str(current)}
    timeout = httpx.Timeout(policy.deadline_s, connect=policy.connect_timeout_s)
    for _hop in range(policy.max_redirects + 1):
        attempt.final_url = str(current)
        await check_url(str(current), policy)
        same_origin = (current.scheme, current.host, current.port) == origin
        headers = _request_headers(policy, attempt.validators, same_origin=same_origin)
        request = client.build_request("GET", current, headers=headers, timeout=timeout)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            attempt.http_status = response.status_code
            attempt.headers = {k.lower(): v for k, v in response.headers.items()}
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                nxt = current.join(location.strip())
                if str(nxt) in seen:
                    raise TooManyRedirectsError(f"redirect loop: {current} -> {nxt}")
                seen.add(str(nxt))
                current = nxt
                continue
            return await _finish(response, attempt, policy, now)
        finally:
            await response.aclose()
    raise TooManyRedirectsError(f"more than {policy.max_redirects} redirects")


async def _finish(
    response: httpx.Response, attempt: _Attempt, policy: FetchPolicy, now: datetime
) -> FetchResult:
    code = response.status_code
    old = attempt.validators
    if code == 304:
        # Closed unread (below), a 304's connection is dropped rather than pooled. Reading the empty body
        # to keep it was measured slower (httpx 0.28 / httpcore 1.0.9, 50 concurrent conditional GETs to
        # one loopback host: p99 0.63 s instead of 0.06 s; not yet explained, the pool's per-request
        # scan of kept connections is a suspect): see BENCHMARKS.md, "Daemon crawl at 10,000 sources".
        kept = Validators(
            etag=response.headers.get("etag") or old.etag,
            last_modified=response.headers.get("last-modified") or old.last_modified,
            body_sha256=old.body_sha256,
        )
        return attempt.result("not_modified", validators=kept)
    if code in RETRY_LATER_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now=now)
        body = await _error_body(response, policy.max_bytes)
        return attempt.result("retry_later", retry_after_s=retry_after, error=f"HTTP {code}", body=body)
    if code >= 400 or not 200 <= code < 300:
        reason = response.reason_phrase or ""
        return attempt.result(
            "error",
            error=f"HTTP {code} {reason}".strip(),
            permanent=code in PERMANENT_STATUSES,
            body=await _error_body(response, policy.max_bytes),
        )
    body = await _read_capped(response, policy.max_bytes)
    digest = hashlib.sha256(body).hexdigest()
    fresh = Validators(
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        body_sha256=digest,
    )
    if old.body_sha256 == digest:
        return attempt.result("unchanged", validators=fresh)
    return attempt.result("ok", validators=fresh, body=body)


async def _error_body(response: httpx.Response, limit: int) -> bytes | None:
    """The start of an error page: blocked detection (monitor.platforms) reads login walls off it."""
    try:
        return await _read_capped(response, min(limit, ERROR_BODY_BYTES))
    except (ResponseTooLargeError, httpx.HTTPError, httpx.StreamError):
        return None


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise ResponseTooLargeError(f"Content-Length {int(declared)} exceeds the {limit} byte limit")
    decoder = CappedDecoder(response.headers.get("content-encoding"), limit)
    raw_size = 0
    body = bytearray()  # grows in place: a list of parts joined at the end would need twice the cap
    # aiter_raw: the bytes as sent. aiter_bytes would let httpx decompress without any limit.
    async for chunk in response.aiter_raw():
        raw_size += len(chunk)
        if raw_size > limit:
            raise ResponseTooLargeError(f"body exceeds the {limit} byte limit")
        body += decoder.feed(chunk)
    body += decoder.flush()
    return bytes(body)
