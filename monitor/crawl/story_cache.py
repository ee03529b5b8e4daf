"""Recent fingerprints per brand for story linking, kept by the daemon instead of re-read for every source.

Linking a new item to a story compares its SimHash with every fingerprint of the brand published in the
last 72 hours. Reading that window from the database for every crawled source made each crawl cost
O(stored mentions): 105 ms per source at 1,000 sources, 1.9 s at 10,000 (bench/crawl_scaling.py), so a
poll of N sources cost O(N^2). The cache reads the window once, then only rows with a higher id (a
primary-key range), at most once per ``refresh_s``; comparisons run on a numpy array.

PostgreSQL hands out ids at insert, not at commit, so a transaction may commit a lower id after we read
past it: each refresh re-reads the last ``ID_MARGIN`` ids and skips rows already held. Other daemons'
mentions appear within ``refresh_s`` of their commit; before this cache a concurrent crawl's mentions
were equally invisible until committed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.engine import Connection

from monitor.matching.dedup import MASK64, STORY_MAX_DISTANCE, RecentStories, nearest_fingerprint
from monitor.storage.mentions_repo import (
    fingerprints_after,
    fingerprints_since,
    last_mention_id,
    recent_fingerprints,
)

ID_MARGIN = 1000
_EMPTY = np.zeros(0, dtype=np.uint64)


@dataclass
class StoryWindow:
    """One brand's recent (fingerprint, story) pairs as one crawl sees them, plus what it adds itself."""

    fingerprints: np.ndarray = field(default_factory=lambda: _EMPTY)
    stories: list[str] = field(default_factory=list)
    # What this crawl (or a 10,000-row import) adds as it goes: a growing array, not a list re-converted
    # for every item, which made a large batch quadratic.
    local: RecentStories = field(default_factory=lambda: RecentStories(()))

    @classmethod
    def from_pairs(cls, pairs: list[tuple[int, str]]) -> StoryWindow:
        fps = np.fromiter((fp & MASK64 for fp, _ in pairs), dtype=np.uint64, count=len(pairs))
        return cls(fps, [story for _, story in pairs])

    def link(self, fingerprint: int, max_distance: int = STORY_MAX_DISTANCE) -> str | None:
        """The nearest story within ``max_distance`` bits; stored ones win ties over this crawl's own."""
        distance, best = nearest_fingerprint(fingerprint, self.fingerprints)
        story = self.stories[best] if distance <= max_distance else None
        local_distance, local_story = self.local.nearest(fingerprint)
        if (
            local_story is not None
            and local_distance <= max_distance
            and (story is None or local_distance < distance)
        ):
            story = local_story
        return story

    def add(self, fingerprint: int, story: str) -> None:
        self.local.add(fingerprint, story)  # reposts inside one document link too


def read_window(conn: Connection, brand: str, since: datetime) -> StoryWindow:
    """Without a cache: the brand's window straight from the database (one-off tools, tests)."""
    return StoryWindow.from_pairs(recent_fingerprints(conn, brand, since=since))


@dataclass
class _Entry:
    published: datetime
    id: int
    fingerprint: int
    story: str


@dataclass
class StoryCache:
    window: timedelta = timedelta(hours=72)
    refresh_s: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _entries: dict[str, dict[int, _Entry]] = field(default_factory=dict)
    _arrays: dict[str, tuple[np.ndarray, list[str]]] = field(default_factory=dict)
    _last_id: int | None = None
    _refreshed_at: float = float("-inf")

    def get(self, conn: Connection, brand: str, now: datetime) -> StoryWindow:
        with self._lock:
            if self.clock() - self._refreshed_at >= self.refresh_s:
                self._refresh(conn, now)
            fingerprints, stories = self._arrays.get(brand, (_EMPTY, []))
        return StoryWindow(fingerprints, stories)

    def _refresh(self, conn: Connection, now: datetime) -> None:
        since = now - self.window
        if self._last_id is None:
            # The highest id first: rows committed after it are read by id next time, never twice.
            self._last_id = last_mention_id(conn)
            rows = fingerprints_since(conn, since=since)
        else:
            rows = fingerprints_after(conn, after_id=max(0, self._last_id - ID_MARGIN))
        changed: set[str] = set()
        for mention_id, brand, fingerprint, story, published in rows:
            entries = self._entries.setdefault(brand, {})
            if mention_id not in entries and published >= since:
                entries[mention_id] = _Entry(published, mention_id, fingerprint, story)
                changed.add(brand)
            self._last_id = max(self._last_id, mention_id)
        for brand, entries in self._entries.items():
            stale = [i for i, e in entries.items() if e.published < since]
            for i in stale:
                del entries[i]
            if stale or brand in changed or brand not in self._arrays:
                # Newest first, as the database read was ordered: ties go to the most recent story.
                ordered = sorted(entries.values(), key=lambda e: (e.published, e.id), reverse=True)
                fps = np.fromiter(
                    (e.fingerprint & MASK64 for e in ordered), dtype=np.uint64, count=len(ordered)
                )
                self._arrays[brand] = (fps, [e.story for e in ordered])
        self._refreshed_at = self.clock()
