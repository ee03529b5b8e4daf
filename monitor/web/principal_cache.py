"""A short-lived cache of API-token lookups.

Integrations call the API with the same token many times a second; looking the token up costs a
database round trip (~0.3 ms through SQLAlchemy), a quarter of a 2,000-character draft check. Only
successful lookups are kept, keyed by the token's SHA-256, for ``TOKEN_CACHE_TTL_S``:

* a user disabled, or a token revoked, through this server's own pages or API is refused at once (those
  handlers call ``clear``);
* the same change made elsewhere (the CLI, another ``serve`` worker) reaches this process within the TTL.

Browser sessions are not cached: people log in and out by hand and expect the change at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from monitor.web.accounts import Principal

TOKEN_CACHE_TTL_S = 5.0
MAX_ENTRIES = 10_000  # bounded: a flood of distinct valid tokens cannot grow memory without limit


class PrincipalCache:
    def __init__(self, ttl_s: float = TOKEN_CACHE_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, token_sha256: str) -> Principal | None:
        with self._lock:
            hit = self._entries.get(token_sha256)
            if hit is None:
                return None
            expires, principal = hit
            if self._clock() >= expires:
                del self._entries[token_sha256]
                return None
            return principal

    def put(self, token_sha256: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[token_sha256] = (self._clock() + self._ttl_s, principal)

    def clear(self) -> None:
        """After any change to users or tokens made through this process."""
        with self._lock:
            self._entries.clear()
