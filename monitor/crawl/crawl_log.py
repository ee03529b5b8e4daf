"""One operator event per crawl: ``source.fetched`` / ``failed`` / ``throttled`` / ``blocked`` /
``disabled`` with the source's id and the daemon's, rendered as one JSON line by ``monitor.logs``."""

from __future__ import annotations

import logging
from typing import Protocol

# The pipeline's logger: operators filter on it, and a crawl's events stay together with its warnings.
log = logging.getLogger("monitor.crawl.pipeline")


class CrawlReport(Protocol):
    """What an event needs of ``monitor.crawl.pipeline.CrawlResult`` (a protocol, so no import cycle)."""

    @property
    def source_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def items(self) -> int: ...
    @property
    def stored(self) -> int: ...
    @property
    def error(self) -> str | None: ...
    @property
    def fetch_s(self) -> float | None: ...


_EVENTS = {"error": "source.failed", "disabled": "source.disabled", "retry_later": "source.throttled"}
# How the platforms wing's verdicts read in a crawl's error ("blocked (login required)").
_BLOCKED_PREFIXES = ("blocked (", "needs config (")


_EVENTS = {"error": "source.failed", "disabled": "source.disabled", "retry_later": "source.throttled"}


def log_crawl(result: CrawlReport, worker_id: str) -> None:
    event = _EVENTS.get(result.outcome, "source.fetched")
    if result.error and result.error.startswith(_BLOCKED_PREFIXES):  # a platforms.blocked verdict
        event = "source.blocked"
    fields = {
        "event": event,
        "source_id": result.source_id,
        "source": result.name,
        "outcome": result.outcome,
        "worker": worker_id,
        "items": result.items,
        "stored": result.stored,
        "fetch_s": None if result.fetch_s is None else round(result.fetch_s, 3),
    }
    if result.error:
        fields["error"] = result.error
    level = logging.INFO if event == "source.fetched" else logging.WARNING
    log.log(level, "source %s: %s", result.name, result.error or result.outcome, extra=fields)
