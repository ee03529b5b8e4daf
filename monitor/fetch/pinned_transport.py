"""An httpx transport whose every TCP connection goes to an address the SSRF guard has just checked.

DNS rebinding: a name can resolve to a public address when we check it and to 127.0.0.1 a moment later
when the HTTP library connects. To close that window the network backend below does the resolution
itself, checks every address, and connects to the checked IP literal, so the check and the connection
use the same answer. TLS still verifies against (and sends SNI for) the host name, because httpcore
passes the URL's host to ``start_tls``, not the address we connected to.

httpx has no public hook for the network backend, so we replace the one on its connection pool
(``AsyncHTTPTransport._pool._network_backend``). httpx is pinned below 0.29 and a test fails if the
attribute moves.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from monitor.fetch.address_guard import host_is_allowlisted, resolve_checked
from monitor.fetch.policy import FetchPolicy


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: FetchPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if host_is_allowlisted(host, self._policy):
            targets = [host]
        else:
            targets = await resolve_checked(host, port, self._policy)
        last_error: Exception | None = None
        for address in targets:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed for source fetching")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~30 ms; building it once per process instead of once per fetch
    # raised loopback throughput from 20 to several hundred fetches per second.
    return httpx.create_ssl_context(trust_env=False)


def guarded_transport(
    policy: FetchPolicy, *, ssl_context: ssl.SSLContext | None = None
) -> httpx.AsyncHTTPTransport:
    # trust_env=False: a proxy from the environment would make us connect to the proxy, not the checked
    # address, and would hide the target from the guard.
    verify = ssl_context or _ssl_context()
    transport = httpx.AsyncHTTPTransport(verify=verify, trust_env=False, retries=0)
    pool = transport._pool
    if not isinstance(pool, httpcore.AsyncConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx internals changed: cannot pin connections to checked addresses")
    pool._network_backend = GuardedNetworkBackend(policy)
    return transport


def guarded_client(policy: FetchPolicy, *, ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    """A client whose connections are pinned to checked addresses; reuse it across fetches that share
    ``policy`` (``fetch(url, policy=policy, client=client)``) to keep connections alive between them.
    ``ssl_context`` replaces the default CA bundle (an intranet source with a private CA)."""
    timeout = httpx.Timeout(policy.deadline_s, connect=policy.connect_timeout_s)
    return httpx.AsyncClient(
        transport=guarded_transport(policy, ssl_context=ssl_context),
        follow_redirects=False,
        trust_env=False,
        timeout=timeout,
    )
