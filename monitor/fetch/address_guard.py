"""SSRF guard: which resolved addresses a fetch may connect to.

We check what ``getaddrinfo`` returns, never the host string: the resolver turns ``2130706433``,
``0x7f000001``, ``127.1`` and ``0177.0.0.1`` into 127.0.0.1, and a public-looking name can resolve to
10.x. ``ipaddress.is_global`` alone is not enough: it is True for NAT64 (64:ff9b::/96, which reaches
IPv4 through a translator) and for global multicast, so both are listed explicitly.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

from monitor.fetch.errors import BlockedURLError
from monitor.fetch.policy import FetchPolicy

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches localhost on Linux
        "100.64.0.0/10",  # CGNAT: provider-internal, is_private is False for it
        "192.0.0.0/24",
        "198.18.0.0/15",
        "64:ff9b::/96",  # NAT64 well-known prefix: is_global True, but embeds any IPv4 (169.254.169.254 ...)
        "64:ff9b:1::/48",  # local-use NAT64
        "2002::/16",  # 6to4 embeds an IPv4 address
        "2001::/32",  # Teredo embeds an IPv4 address
    )
)

ALLOWED_SCHEMES = frozenset({"http", "https"})


def blocked_reason(address: IPAddress) -> str | None:
    """Why ``address`` may not be fetched, or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        if address.scope_id:
            return "a scoped IPv6 address"
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
    )
    for hit, name in checks:
        if hit:
            return f"a {name} address"
    for network in _BLOCKED_NETWORKS:
        if address in network:
            return f"in blocked network {network}"
    if not address.is_global:
        return "not a global address"
    return None


def check_address(address: IPAddress | str, policy: FetchPolicy) -> None:
    """Raise BlockedURLError unless ``address`` is public or inside ``policy.allow_networks``."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        candidates.append(ip.ipv4_mapped)  # an allowlisted IPv4 network also allows its mapped form
    if any(c in net for c in candidates for net in policy.networks if c.version == net.version):
        return
    reason = blocked_reason(ip)
    if reason is not None:
        raise BlockedURLError(
            f"address {ip} is {reason}; add it to allow_networks if this source is intranet"
        )


def host_is_allowlisted(host: str, policy: FetchPolicy) -> bool:
    return host.lower().rstrip(".") in policy.hosts


async def resolve_checked(host: str, port: int, policy: FetchPolicy) -> list[str]:
    """Resolve ``host`` and return its addresses, all of them checked; raise if ANY is blocked.

    Rejecting on any blocked address (not just skipping it) stops a name that mixes a public and an
    internal record from reaching the internal one on a retry or a second connection.
    """
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BlockedURLError(f"cannot resolve host {host!r}: {exc}") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        check_address(text, policy)
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise BlockedURLError(f"host {host!r} resolved to no addresses")
    return addresses


async def check_url(url: str, policy: FetchPolicy) -> None:
    """Refuse a URL before any connection: scheme, credentials, and every resolved address of its host."""
    # Parsed by httpx, the same parser that picks the host to connect to: a second URL parser here
    # could read "http://a\\@b/" differently and check a host other than the one contacted.
    try:
        parts = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise BlockedURLError(f"malformed URL {url!r}: {exc}") from exc
    if parts.scheme not in ALLOWED_SCHEMES:
        raise BlockedURLError(f"URL scheme {parts.scheme!r} is not allowed (http and https only)")
    host = parts.host
    if not host:
        raise BlockedURLError(f"URL {url!r} has no host")
    if host_is_allowlisted(host, policy):
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    await resolve_checked(host, port, policy)
