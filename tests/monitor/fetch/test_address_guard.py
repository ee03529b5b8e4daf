from __future__ import annotations

import asyncio
import ipaddress

import pytest

from monitor.fetch.address_guard import blocked_reason, check_address, check_url
from monitor.fetch.errors import BlockedURLError, InvalidPolicyError
from monitor.fetch.policy import FetchPolicy

OPEN = FetchPolicy()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # CGNAT
        "100.127.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "198.18.0.1",  # benchmarking
        "192.0.0.8",
        "192.0.2.1",  # documentation
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254; is_global is True for it
        "64:ff9b::808:808",  # NAT64 of a public address: still refused, it reaches through a translator
        "64:ff9b:1::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:8.8.8.8",
        "ff02::1",
        "ff0e::1",  # global-scope multicast; is_global is True for it
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001::1",  # Teredo
        "2001:db8::1",
    ],
)
def test_internal_and_special_addresses_are_blocked(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is not None
    with pytest.raises(BlockedURLError, match="allow_networks"):
        check_address(address, OPEN)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "114.114.114.114", "2606:4700:4700::1111"])
def test_public_unicast_is_allowed(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None
    check_address(address, OPEN)


@pytest.mark.parametrize(
    ("networks", "address"),
    [
        (("127.0.0.0/8",), "127.0.0.1"),
        (("10.0.0.0/8",), "10.20.30.40"),
        (("10.0.0.0/8",), "::ffff:10.1.1.1"),  # the mapped form of an allowlisted IPv4 network
        (("fd00::/8",), "fd00::5"),
    ],
)
def test_allow_networks_opens_exactly_those_networks(networks: tuple[str, ...], address: str) -> None:
    policy = FetchPolicy(allow_networks=networks)
    check_address(address, policy)
    with pytest.raises(BlockedURLError):
        check_address("169.254.169.254", policy)


def test_bad_cidr_is_a_policy_error_naming_the_value() -> None:
    with pytest.raises(InvalidPolicyError, match=r"10\.0\.0\.0/33"):
        FetchPolicy(allow_networks=("10.0.0.0/33",))


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "127.1",
        "0177.0.0.1",
        "localhost",
        "[::1]",
        "[::ffff:127.0.0.1]",
    ],
)
def test_every_spelling_of_loopback_is_refused_after_resolution(host: str) -> None:
    with pytest.raises(BlockedURLError, match=r"loopback|IPv4-mapped|Invalid IPv4"):
        asyncio.run(check_url(f"http://{host}:8080/feed.xml", OPEN))


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1/", "http:///nohost", "http://[::1"],
)
def test_non_http_and_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(BlockedURLError):
        asyncio.run(check_url(url, OPEN))


def test_allow_hosts_skips_resolution_for_named_intranet_hosts() -> None:
    # .invalid never resolves: passing proves the allowlisted name was not looked up at all.
    policy = FetchPolicy(allow_hosts=frozenset({"Feeds.Corp.Invalid"}))
    asyncio.run(check_url("https://feeds.corp.invalid/rss", policy))
    with pytest.raises(BlockedURLError, match="cannot resolve"):
        asyncio.run(check_url("https://other.corp.invalid/rss", policy))
