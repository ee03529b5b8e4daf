"""Reasons a fetch is refused or cut short.

Hierarchy::

    monitor.errors.FetchError
    ├── InvalidPolicyError     a FetchPolicy value is malformed (bad CIDR in allow_networks, ...)
    ├── BlockedURLError        the URL or one of its resolved addresses is not allowed (SSRF guard); permanent
    ├── TooManyRedirectsError  redirect limit exceeded or a redirect loop; permanent
    └── ResponseTooLargeError  raw or decompressed body would exceed FetchPolicy.max_bytes

``fetch()`` never raises these to its caller: it turns them into ``FetchResult(status="error")``.
They exist so the layers inside the fetcher can stop work at the exact point a guard trips.
"""

from __future__ import annotations

from monitor.errors import FetchError


class InvalidPolicyError(FetchError):
    pass


class BlockedURLError(FetchError):
    pass


class TooManyRedirectsError(FetchError):
    pass


class ResponseTooLargeError(FetchError):
    pass
