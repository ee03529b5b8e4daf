"""The per-daemon story-linking cache agrees with reading the window from the database each time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from monitor.crawl.story_cache import StoryCache, read_window
from monitor.storage.mentions_repo import insert_mention

from .fakes import NOW


def _mention(
    engine: Engine, key: str, fingerprint: int, *, age: timedelta = timedelta(0), brand: str = "b"
) -> int:
    with engine.begin() as conn:
        mention_id, _ = insert_mention(
            conn,
            {
                "brand": brand,
                "dedup_key": key,
                "fingerprint": fingerprint,
                "story_key": f"story-{key}",
                "title": "t",
                "text": "x",
                "published_at": NOW - age,
                "fetched_at": NOW,
                "risk_terms": [],
            },
        )
    return mention_id


class Ticks:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_links_like_the_database_read_and_sees_new_rows_after_a_refresh(sqlite_engine: Engine) -> None:
    base = 0b1011 << 40 | 0xFFFF
    _mention(sqlite_engine, "old", base, age=timedelta(hours=80))  # outside the 72 h window
    _mention(sqlite_engine, "a", base)
    clock = Ticks()
    cache = StoryCache(clock=clock)
    with sqlite_engine.connect() as conn:
        window = cache.get(conn, "b", NOW)
        direct = read_window(conn, "b", NOW - timedelta(hours=72))
    assert window.link(base ^ 0b111) == direct.link(base ^ 0b111) == "story-a"
    assert window.link(base ^ ((1 << 30) - 1)) is None  # 30 bits away: another story

    far = base ^ ((1 << 60) - (1 << 30))
    _mention(sqlite_engine, "c", far)
    with sqlite_engine.connect() as conn:
        assert cache.get(conn, "b", NOW).link(far) is None  # not refreshed yet (within refresh_s)
        clock.t = 5.0
        assert cache.get(conn, "b", NOW).link(far) == "story-c"
        # Brands are kept apart; rows age out of the window as time passes.
        assert cache.get(conn, "other", NOW).link(far) is None
        clock.t = 10.0
        assert cache.get(conn, "b", NOW + timedelta(hours=73)).link(base) is None


def test_a_crawls_own_items_link_but_stored_stories_win_ties(sqlite_engine: Engine) -> None:
    fp = 0xABCDEF << 20
    _mention(sqlite_engine, "stored", fp)
    with sqlite_engine.connect() as conn:
        window = StoryCache().get(conn, "b", NOW)
    window.add(fp, "story-local")
    assert window.link(fp) == "story-stored"
    other = fp ^ ((1 << 50) - (1 << 20))
    window.add(other, "story-repost")
    assert window.link(other ^ 1) == "story-repost"
