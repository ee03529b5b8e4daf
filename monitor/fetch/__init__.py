"""Guarded fetching of source URLs.

Public API (used by the daemon and ``brandguard sources test``)::

    result = await fetch(url, validators=Validators(...), policy=FetchPolicy(...), now=now)
    result = fetch_sync(url, ...)
    async with guarded_client(policy) as client:     # optional: reuse pinned connections
        result = await fetch(url, policy=policy, client=client, ...)

Guards: SSRF check of every hop's resolved addresses (with connections pinned to the checked address),
manual redirects with a limit and loop detection, an overall deadline, a cap on raw and decompressed
size, conditional GET and body hashing. Failures come back as ``FetchResult(status="error" |
"retry_later")``; nothing is raised to the caller.
"""

from __future__ import annotations

from monitor.fetch.fetcher import FetchResult, FetchStatus, fetch, fetch_sync
from monitor.fetch.pinned_transport import guarded_client
from monitor.fetch.policy import DEFAULT_USER_AGENT, FetchPolicy, Validators

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchPolicy",
    "FetchResult",
    "FetchStatus",
    "Validators",
    "fetch",
    "fetch_sync",
    "guarded_client",
]
