"""The rollup-backed brief equals the brief counted from the mention rows, whatever happens to the rows:
a random sequence of inserts, summaries, deletions and relabels, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine

from monitor.reports import BriefRequest, build_brief
from monitor.reports import rollup as rollup_ops
from monitor.storage import brief_rollup_repo
from monitor.storage.engine import open_database
from monitor.storage.schema import brief_rollup, mentions, sources
from monitor.storage.transactions import read_transaction
from tests.monitor.reports.fixture_data import NOW, config, seed, t

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOSTS = ["weibo.com", "www.zhihu.com", "www.douyin.com", "news.example.cn", "tousu.sina.com.cn"]
LABELS = ["negative", "neutral", "positive", None]


def _brief(engine: Engine, rollup: bool, zone: ZoneInfo = SHANGHAI, brands: tuple[str, ...] = ()) -> dict:
    request = BriefRequest("week", brands, keywords=False, rollup=rollup)
    with read_transaction(engine) as conn:
        return build_brief(conn, config(), request, now=NOW, zone=zone)


def _assert_same(engine: Engine) -> None:
    for brands in ((), ("甲品牌", "乙品牌")):
        assert _brief(engine, True, brands=brands) == _brief(engine, False, brands=brands)


def _insert(engine: Engine, rng: random.Random, count: int, serial: list[int]) -> None:
    with engine.begin() as conn:
        source_ids = [None, *conn.execute(select(sources.c.id)).scalars()]
        for _ in range(count):
            serial[0] += 1
            # two weeks before the brief and a little around them; whole and odd minutes, both sides of
            # local midnight (16:00Z)
            # crowded into 12 hours so stories and authors meet in the same hour across summaries
            hour = t("2026-11-15T12:00:00") + timedelta(hours=rng.randrange(0, 16 * 24, 16 * 24 // 12))
            published = hour + timedelta(minutes=rng.randrange(60))
            conn.execute(
                insert(mentions).values(
                    brand=rng.choice(["甲品牌", "乙品牌"]),
                    source_id=rng.choice(source_ids),
                    dedup_key=f"r{serial[0]}",
                    story_key=f"s{rng.randrange(4)}",
                    title=f"随机 {serial[0]}",
                    text="",
                    url=rng.choice([None, f"https://{rng.choice(HOSTS)}/p/{serial[0]}"]),
                    author=rng.choice([None, "", f"u{rng.randrange(4)}"]),
                    followers=rng.choice([None, rng.randrange(1000)]),
                    likes=rng.randrange(20),
                    reposts=rng.randrange(5),
                    label=rng.choice(LABELS),
                    published_at=published,
                    fetched_at=published,
                )
            )


def _some_ids(engine: Engine, rng: random.Random) -> list[int]:
    with read_transaction(engine) as conn:
        ids = list(conn.execute(select(mentions.c.id)).scalars())
    return rng.sample(ids, min(len(ids), rng.randrange(1, 6)))


def test_random_writes_keep_the_rollup_exact(engine: Engine) -> None:
    seed(engine)
    rng = random.Random(16)
    serial = [0]
    _assert_same(engine)
    for _step in range(60):
        op = rng.choice(["insert", "insert", "summarise", "delete", "relabel"])
        if op == "insert":
            _insert(engine, rng, rng.randrange(1, 15), serial)
        elif op == "summarise":
            rollup_ops.refresh_rollup(engine, NOW)
        elif op == "delete":
            with engine.begin() as conn:
                brief_rollup_repo.delete_mentions(conn, _some_ids(engine, rng), NOW)
        else:
            with engine.begin() as conn:
                brief_rollup_repo.relabel_mentions(conn, _some_ids(engine, rng), rng.choice(LABELS), NOW)
        _assert_same(engine)
    rollup_ops.refresh_rollup(engine, NOW)
    _assert_same(engine)
    with read_transaction(engine) as conn:
        assert brief_rollup_repo.read_mark(conn) == brief_rollup_repo.max_mention_id(conn)
        assert conn.execute(select(func.count()).select_from(brief_rollup)).scalar_one() > 0


def test_deleting_the_highest_id_lowers_the_mark_so_a_reused_id_is_counted(engine: Engine) -> None:
    seed(engine)
    rollup_ops.refresh_rollup(engine, NOW)
    with engine.begin() as conn:
        top = brief_rollup_repo.max_mention_id(conn)
        brief_rollup_repo.delete_mentions(conn, [top], NOW)
        assert brief_rollup_repo.read_mark(conn) == top - 1
    _insert(engine, random.Random(1), 3, [1000])  # SQLite hands out `top` again
    _assert_same(engine)


def test_fractional_hour_zone_falls_back_to_the_rows(engine: Engine) -> None:
    seed(engine)
    rollup_ops.refresh_rollup(engine, NOW)
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+5:30: local midnights are not whole UTC hours
    assert _brief(engine, True, kolkata) == _brief(engine, False, kolkata)


def test_an_existing_database_gets_the_tables_and_the_rollup_on_first_use(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_database(sqlite_url)
    seed(engine)
    with engine.begin() as conn:  # a database made by the initial revision before the rollups existed
        conn.execute(text("DROP TABLE brief_rollup"))
        conn.execute(text("DROP TABLE brief_rollup_mark"))
    engine.dispose()
    engine = open_database(sqlite_url)  # start-up migration
    try:
        monkeypatch.setattr(rollup_ops, "LAG_LIMIT", 0)
        rollup_ops.catch_up(engine, NOW)  # what a brief does first when the rollup lags
        with read_transaction(engine) as conn:
            assert brief_rollup_repo.read_mark(conn) == brief_rollup_repo.max_mention_id(conn) > 0
        _assert_same(engine)
    finally:
        engine.dispose()


def test_the_live_part_is_empty_once_summarised(engine: Engine) -> None:
    seed(engine)
    rollup_ops.refresh_rollup(engine, NOW)
    with read_transaction(engine) as conn:
        mark = brief_rollup_repo.read_mark(conn)
        bounds = [t("2026-11-15T16:00:00"), t("2026-11-22T16:00:00"), t("2026-11-29T16:00:00")]
        rolled = brief_rollup_repo.counts(conn, "label", ["甲品牌"], bounds, mark)
    assert sum(n for n, _neg in rolled.values()) == 6  # 4 this week + 2 the week before (fixture)


COUNTED = "|".join(sorted(brief_rollup_repo.COUNTED_COLUMNS))


def test_no_other_writer_changes_a_counted_column_of_a_mention() -> None:
    """Every other UPDATE of mentions sets only columns the rollup does not count, and nothing else
    deletes mentions: otherwise the rollup would drift (use delete_mentions / relabel_mentions)."""
    root = Path(__file__).resolve().parents[3] / "monitor"
    offenders: list[str] = []
    for path in root.rglob("*.py"):
        if path.name == "brief_rollup_repo.py":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"delete\(\s*mentions\s*\)|mentions\.delete\(", source):
            offenders.append(f"{path}: deletes mentions")
        for match in re.finditer(r"update\(\s*mentions\s*\)[^;]*?\.values\(([^)]*)\)", source, re.S):
            if re.search(rf"\b({COUNTED})\s*=", match.group(1)):
                offenders.append(f"{path}: {match.group(0)[:80]}")
    assert not offenders, offenders


def test_postgres_mark_never_passes_an_uncommitted_insert(pg_url: str) -> None:
    """Sequence ids commit out of order: while an inserting transaction is open, the summariser must not
    move the mark past ids it cannot see yet (it waits briefly for the lock, then leaves it to the next
    tick)."""
    engine = open_database(pg_url)
    try:
        seed(engine)
        rollup_ops.refresh_rollup(engine, NOW)
        with engine.connect() as writer, writer.begin():
            _insert_one(writer, "open-1")  # uncommitted: a crawl's transaction still running
            _insert_in_own_transaction(engine, "later-1")  # a higher id, committed first
            assert rollup_ops.refresh_rollup(engine, NOW) == 0
            # committed now: the next tick folds both in
        assert rollup_ops.refresh_rollup(engine, NOW) == 2
        _assert_same(engine)
    finally:
        engine.dispose()


def _insert_one(conn: Any, key: str) -> None:
    at = t("2026-11-25T02:00:00")
    conn.execute(
        insert(mentions).values(
            brand="甲品牌", dedup_key=key, story_key=key, title=key, text="", published_at=at, fetched_at=at
        )
    )


def _insert_in_own_transaction(engine: Engine, key: str) -> None:
    with engine.begin() as conn:
        _insert_one(conn, key)


def test_a_group_summarised_in_two_passes_keeps_its_largest_reach_and_first_mention(engine: Engine) -> None:
    seed(engine)
    for key, followers in (("p1", 100), ("p2", 5_000_000), ("p3", 50)):  # same author, story and hour
        with engine.begin() as conn:
            at = t("2026-11-25T02:00:00") + timedelta(minutes=len(key) + followers % 7)
            conn.execute(
                insert(mentions).values(
                    brand="甲品牌",
                    dedup_key=key,
                    story_key="s-two-pass",
                    title=key,
                    text="",
                    author="两次",
                    followers=followers,
                    published_at=at,
                    fetched_at=at,
                )
            )
        rollup_ops.refresh_rollup(engine, NOW)
    brief = _brief(engine, True)
    assert brief == _brief(engine, False)
    assert brief["authors"][0]["author"] == "两次" and brief["authors"][0]["followers"] == 5_000_000
    story = next(s for s in brief["stories"] if s["story_key"] == "s-two-pass")
    assert story["title"] == "p1" and story["mentions"] == 3
