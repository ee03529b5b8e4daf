"""What a fetch may do (FetchPolicy) and what it remembers between fetches (Validators)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from monitor import __version__
from monitor.fetch.errors import InvalidPolicyError

DEFAULT_USER_AGENT = f"BrandGuard/{__version__} (+brand monitoring)"

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Validators:
    """State carried from one fetch of a source to the next (stored by the daemon)."""

    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one request, redirects included.

    ``allow_hosts`` (exact host names, case-insensitive) and ``allow_networks`` (CIDR strings) open the
    SSRF guard for intranet sources; everything else must resolve to public unicast addresses only.
    """

    deadline_s: float = 30.0
    connect_timeout_s: float = 10.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[str, ...] = ()
    user_agent: str = DEFAULT_USER_AGENT
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.deadline_s <= 0 or self.connect_timeout_s <= 0:
            raise InvalidPolicyError("fetch deadline and connect timeout must be positive")
        if self.max_bytes <= 0:
            raise InvalidPolicyError("fetch max_bytes must be positive")
        if self.max_redirects < 0:
            raise InvalidPolicyError("fetch max_redirects must not be negative")
        _ = self.networks  # validate the CIDRs now, not at the first fetch

    @cached_property
    def networks(self) -> tuple[IPNetwork, ...]:
        parsed: list[IPNetwork] = []
        for text in self.allow_networks:
            try:
                parsed.append(ipaddress.ip_network(text, strict=False))
            except ValueError as exc:
                raise InvalidPolicyError(f"allow_networks: {text!r} is not a CIDR network: {exc}") from exc
        return tuple(parsed)

    @cached_property
    def hosts(self) -> frozenset[str]:
        return frozenset(h.lower().rstrip(".") for h in self.allow_hosts)
