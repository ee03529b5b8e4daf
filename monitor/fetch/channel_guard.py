"""The SSRF guard for outgoing notifications: channel (webhook, bot) URLs get the same address checks
as sources.

A webhook URL of ``http://169.254.169.254/...`` used to pass ``config check`` and be posted to, with
the incident text, from inside the network (issue 11). Now:

* ``literal_problem`` (offline, for ``config check``): a host that is an address literal in any form
  the resolver accepts (``169.254.169.254``, ``2130706433``, ``0x7f000001``, ``127.1``, ``[::1]``) or
  ``localhost`` must be public or allowed by ``daemon.allow_networks`` / ``allow_hosts``;
* ``check_url`` (at send time): every resolved address of the host is checked;
* ``guarded_sync_transport``: the notifier's connections are pinned to the checked addresses, so a name
  cannot resolve to a public address for the check and to an internal one for the connection.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from monitor.fetch.address_guard import check_address, host_is_allowlisted
from monitor.fetch.errors import BlockedURLError
from monitor.fetch.pinned_transport import _ssl_context
from monitor.fetch.policy import FetchPolicy


class UnresolvableHost(BlockedURLError):
    """The name does not resolve now: transient (DNS), not a refusal."""


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname
    except ValueError as exc:
        raise BlockedURLError(f"malformed URL: {exc}") from None
    if not host:
        raise BlockedURLError("URL has no host")
    return host


def _literal(host: str) -> str | None:
    """The address a literal host means, in the legacy forms ``inet_aton`` accepts too."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        return socket.inet_ntoa(socket.inet_aton(host))
    except OSError:
        return None


def literal_problem(url: str, policy: FetchPolicy) -> str | None:
    """Why ``url`` is refused without resolving any name, or None."""
    try:
        host = _host(url)
    except BlockedURLError as exc:
        return str(exc)
    if host_is_allowlisted(host, policy):
        return None
    name = host.lower().rstrip(".")
    if name in ("localhost", "localhost.localdomain") or name.endswith(".localhost"):
        return f"host {host!r} is loopback; add it to daemon.allow_hosts if this is intended"
    address = _literal(host)
    if address is None:
        return None
    try:
        check_address(address, policy)
    except BlockedURLError as exc:
        return str(exc).replace("this source is intranet", "this channel is intranet")
    return None


def _resolve_checked(host: str, port: int, policy: FetchPolicy) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"cannot resolve host {host!r}: {exc}") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        check_address(text, policy)  # any blocked address refuses the name (see resolve_checked)
        if text not in addresses:
            addresses.append(text)
    return addresses


def check_url(url: str, policy: FetchPolicy) -> None:
    """Raise ``BlockedURLError`` unless every address ``url``'s host resolves to may be sent to."""
    problem = literal_problem(url, policy)
    if problem is not None:
        raise BlockedURLError(problem)
    host = _host(url)
    if not host_is_allowlisted(host, policy) and _literal(host) is None:
        parts = urlsplit(url)
        _resolve_checked(host, parts.port or (443 if parts.scheme == "https" else 80), policy)


class GuardedSyncBackend(httpcore.NetworkBackend):
    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            targets = (
                [host]
                if host_is_allowlisted(host, self._policy)
                else _resolve_checked(host, port, self._policy)
            )
        except BlockedURLError as exc:
            # httpx maps ConnectError to its own TransportError, which the notifiers already handle
            raise httpcore.ConnectError(f"refused by the address guard: {exc}") from exc
        last_error: Exception | None = None
        for address in targets:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed for notifications")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def guarded_sync_transport(policy: FetchPolicy) -> httpx.HTTPTransport:
    """A sync transport (the notifiers' clients are sync) with pinned, checked connections."""
    transport = httpx.HTTPTransport(verify=_ssl_context(), trust_env=False, retries=0)
    pool = transport._pool
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx internals changed: cannot pin connections to checked addresses")
    pool._network_backend = GuardedSyncBackend(policy)
    return transport


def channel_policy(allow_hosts: Iterable[str], allow_networks: Iterable[str]) -> FetchPolicy:
    return FetchPolicy(allow_hosts=frozenset(allow_hosts), allow_networks=tuple(allow_networks))
