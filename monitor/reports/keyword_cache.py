"""Rising keywords of closed periods, remembered per database engine.

Keywords are the one section the rollups cannot hold (jieba over a text sample), and the sample's SQL
numbers every mention of both periods. A closed period rarely changes, so its keywords are kept in
memory, keyed by the brands, the window and the period's day-by-label counts: a late mention, a
deletion or a relabel changes the counts and with them the key. Bounded: 64 entries per engine.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from monitor.reports.periods import Window

MAX_ENTRIES = 64
_lock = threading.Lock()
_entries: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[Any, ...], list[dict[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)


def _key(brands: list[str], group: list[str], window: Window, signature: object) -> tuple[Any, ...]:
    return (tuple(brands), tuple(group), window.previous_start, window.start, window.end, signature)


def lookup(
    engine: Engine, brands: list[str], group: list[str], window: Window, signature: object, now: datetime
) -> list[dict[str, Any]] | None:
    if window.end > now:
        return None  # an open period still gains mentions
    with _lock:
        found = _entries.get(engine, OrderedDict()).get(_key(brands, group, window, signature))
    return [dict(item) for item in found] if found is not None else None


def store(
    engine: Engine,
    brands: list[str],
    group: list[str],
    window: Window,
    signature: object,
    now: datetime,
    keywords: list[dict[str, Any]],
) -> None:
    if window.end > now:
        return
    with _lock:
        entries = _entries.setdefault(engine, OrderedDict())
        entries[_key(brands, group, window, signature)] = [dict(item) for item in keywords]
        entries.move_to_end(_key(brands, group, window, signature))
        while len(entries) > MAX_ENTRIES:
            entries.popitem(last=False)


def clear() -> None:
    """Forget every entry (benchmarks time the uncached path with it)."""
    with _lock:
        _entries.clear()
