"""The counted sections of a brief (volume and sentiment by day, share of voice, platforms, sources,
top stories and authors), from the hourly rollups or, as the reference and for display zones with a
fractional-hour offset, from the mention rows themselves. Both give the same figures
(tests/monitor/reports/test_rollup_exact.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from monitor.reports.periods import Window
from monitor.storage import brief_groups_repo, brief_repo, brief_rollup_repo

PUSHED = "API 推送"  # mentions without a source: pushed through the ingest API or import
SOURCE_LIMIT = 15


@dataclass(frozen=True)
class Aggregates:
    cells: list[tuple[str, int, str | None, int]]  # (subject brand, day bucket, label, mentions)
    totals: list[tuple[str, bool, int]]  # (brand of the group, in the current period?, mentions)
    platforms: list[tuple[str, int, int]]  # (platform, mentions, negative), most first
    sources: list[tuple[str, int, int]]  # (source name, mentions, negative), most first, at most 15
    stories: list[brief_repo.StoryRow]  # the hottest ten
    authors: list[brief_repo.AuthorRow]  # the ten with the widest reach


def recent_since(window: Window) -> datetime:
    """Start of a story's velocity: the last 24 hours of the period."""
    return max(window.start, window.end - timedelta(hours=24))


def raw_aggregates(conn: Connection, subjects: list[str], group: list[str], window: Window) -> Aggregates:
    """GROUP BYs over the mention rows of the period (cost grows with the mentions)."""
    return Aggregates(
        cells=brief_repo.volume_by_day(conn, subjects, window.bounds),
        totals=brief_repo.brand_totals(conn, group, window.previous_start, window.start, window.end),
        platforms=brief_repo.by_platform(conn, subjects, window.start, window.end),
        sources=brief_repo.by_source(conn, subjects, window.start, window.end, limit=SOURCE_LIMIT),
        stories=brief_repo.top_stories(
            conn, subjects, window.start, window.end, recent_since=recent_since(window)
        ),
        authors=brief_repo.top_authors(conn, subjects, window.start, window.end),
    )


def on_whole_hours(bounds: Sequence[datetime]) -> bool:
    """Hourly UTC buckets serve a window only if every bound is a whole UTC hour (not India, Nepal...)."""
    return all(b.minute == 0 and b.second == 0 and b.microsecond == 0 for b in bounds)


def rolled_aggregates(
    conn: Connection, subjects: list[str], group: list[str], window: Window
) -> Aggregates | None:
    """The same figures from ``brief_rollup`` plus the mentions above its watermark; None when the
    window's bounds are not whole UTC hours."""
    bounds = window.bounds
    if not on_whole_hours(bounds):
        return None
    # PostgreSQL reads each statement in its own snapshot: if the summariser moved the mark between our
    # reads, the rollup and the live part may overlap. Read again until the mark held still.
    for _attempt in range(5):
        mark = brief_rollup_repo.read_mark(conn)
        result = _read(conn, subjects, group, window, mark)
        if brief_rollup_repo.read_mark(conn) == mark:
            return result
    return raw_aggregates(conn, subjects, group, window)


def _read(conn: Connection, subjects: list[str], group: list[str], window: Window, mark: int) -> Aggregates:
    n_prev = len(window.previous_days)
    wanted = set(subjects)
    cells: list[tuple[str, int, str | None, int]] = []
    totals: dict[tuple[str, bool], int] = {}
    by_label = brief_rollup_repo.counts(conn, "label", group, window.bounds, mark)
    for (brand, seg, label), (n, _neg) in by_label.items():
        if brand in wanted:
            cells.append((brand, seg, label or None, n))
        current = seg >= n_prev
        totals[(brand, current)] = totals.get((brand, current), 0) + n
    span = [window.start, window.end]
    platforms: dict[str, list[int]] = {}
    by_platform = brief_rollup_repo.counts(conn, "platform", subjects, span, mark)
    for (_brand, _seg, name), (n, neg) in by_platform.items():
        acc = platforms.setdefault(name, [0, 0])
        acc[0], acc[1] = acc[0] + n, acc[1] + neg
    names = brief_repo.source_names(conn)
    by_id: dict[int | None, list[int]] = {}
    by_source = brief_rollup_repo.counts(conn, "source", subjects, span, mark)
    for (_brand, _seg, key), (n, neg) in by_source.items():
        # A source deleted since (ON DELETE SET NULL) counts as pushed, as its rows now say.
        sid = int(key) if key and int(key) in names else None
        acc = by_id.setdefault(sid, [0, 0])
        acc[0], acc[1] = acc[0] + n, acc[1] + neg
    top = sorted(by_id.items(), key=lambda kv: (-kv[1][0], kv[0] is None, kv[0] or 0))[:SOURCE_LIMIT]
    return Aggregates(
        cells=cells,
        totals=[(brand, current, n) for (brand, current), n in totals.items()],
        platforms=sorted(((p, v[0], v[1]) for p, v in platforms.items()), key=lambda r: (-r[1], r[0])),
        sources=[(names[sid] if sid is not None else PUSHED, v[0], v[1]) for sid, v in top],
        stories=brief_groups_repo.top_stories(
            conn, subjects, window.start, window.end, mark, recent_since=recent_since(window)
        ),
        authors=brief_repo.top_authors(conn, subjects, window.start, window.end),  # not rolled up
    )
