"""Platforms wing: platform adapters, blocked detection, coverage (blind windows) and operator notices.

It owns what makes a platform source different from a plain feed: the table from platform name to
adapter (``adapters``), reading a refused response as a state (``blocked``: login wall, captcha,
"访问过于频繁", RSSHub error pages, cookie expiry, JSON error codes), the arithmetic of what share of a
brand's sources was watched (``coverage``, pure) and recording each source's coverage state with one
operator notice per change (``watch``). Route templates are configuration (``monitor.config.platforms``);
SQL is in ``monitor.storage.outages_repo``.
"""

from __future__ import annotations

from monitor.platforms.adapters import ADAPTERS, PlatformAdapter, adapter_for
from monitor.platforms.blocked import Verdict, detect
from monitor.platforms.coverage import Gap, HourCoverage, brand_share, covered_share, describe, gaps, hourly
from monitor.platforms.watch import health_label, record_state

__all__ = [
    "ADAPTERS",
    "Gap",
    "HourCoverage",
    "PlatformAdapter",
    "Verdict",
    "adapter_for",
    "brand_share",
    "covered_share",
    "describe",
    "detect",
    "gaps",
    "health_label",
    "hourly",
    "record_state",
]
