from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from monitor.config import config_from_dict
from monitor.crawl.pipeline import DueSource, mention_values
from monitor.crawl.steps import match_items
from monitor.matching.matcher import BrandMatcher
from monitor.storage.mentions_repo import insert_mention

from .fakes import NOW, add_source


@dataclass
class Item:
    guid: str | None
    link: str | None
    title: str
    text: str
    published_at: datetime
    published_estimated: bool = False
    author: str | None = None
    followers: int | None = None
    likes: int | None = None
    reposts: int | None = None


CONFIG = config_from_dict(
    {
        "brands": [
            {"name": "云帆汽车", "query": "云帆汽车 OR 云帆X7"},
            {"name": "星河手机", "query": "星河手机", "exclude": ["星河湾"]},
        ]
    }
)
SOURCE = DueSource(1, "s", "rss", "http://x/", 900, "Asia/Shanghai", ())
STORY = "网友拍到云帆汽车X7在高速服务区充电时自燃，车辆烧得只剩框架，车主称刚提车两个月"


def _match(engine: Engine, items: list[Item], source: DueSource = SOURCE):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return match_items(BrandMatcher(CONFIG.brands), source, items, conn, NOW)


def test_matching_keeps_brand_items_and_links_reposts_into_one_story(sqlite_engine: Engine) -> None:
    add_source(sqlite_engine, "s")
    items = [
        Item("1", "http://a/1", "突发", STORY, NOW - timedelta(minutes=5)),
        Item("2", "http://a/2", "转发", "转发：" + STORY + " //@某人:", NOW),
        Item("3", "http://a/3", "天气", "今天天气不错", NOW),
        Item("4", "http://a/4", "通知", "星河湾小区的星河手机体验店今晚停业", NOW),  # excluded
        Item("5", "http://a/5", "星河手机 新品", "星河手机发布会", NOW, published_estimated=True),
    ]
    got = _match(sqlite_engine, items)
    assert [(c.brand, c.title) for c in got] == [
        ("云帆汽车", "突发"),
        ("云帆汽车", "转发"),
        ("星河手机", "星河手机 新品"),
    ]
    assert got[0].story_key == got[1].story_key
    assert got[2].published_estimated and not got[0].published_estimated
    assert got[0].fingerprint is not None and got[0].fingerprint >= 0  # unsigned, as storage expects


def test_already_stored_items_are_not_scored_again(sqlite_engine: Engine) -> None:
    add_source(sqlite_engine, "s")
    first = _match(sqlite_engine, [Item("1", "http://a/1", "突发", STORY, NOW)])
    with sqlite_engine.begin() as conn:
        insert_mention(conn, mention_values(first[0], SOURCE, NOW, baseline=False))
    again = _match(
        sqlite_engine,
        [Item("1", "http://a/1", "突发", STORY, NOW), Item("9", "http://a/9", "后续", "云帆汽车回应了", NOW)],
    )
    assert [c.title for c in again] == ["后续"]


def test_a_new_repost_links_to_the_stored_story(sqlite_engine: Engine) -> None:
    add_source(sqlite_engine, "s")
    first = _match(sqlite_engine, [Item("1", "http://a/1", "突发", STORY, NOW)])
    with sqlite_engine.begin() as conn:
        insert_mention(conn, mention_values(first[0], SOURCE, NOW, baseline=False))
    repost = _match(sqlite_engine, [Item("7", "http://b/7", "【热点】", "【热点】" + STORY, NOW)])
    assert repost[0].story_key == first[0].story_key


def test_items_without_a_date_keep_a_stable_key_across_fetches(sqlite_engine: Engine) -> None:
    add_source(sqlite_engine, "s")
    item = Item(None, None, "云帆汽车 无日期", "正文", NOW, published_estimated=True)
    later = Item(None, None, "云帆汽车 无日期", "正文", NOW + timedelta(hours=1), published_estimated=True)
    assert _match(sqlite_engine, [item])[0].dedup_key == _match(sqlite_engine, [later])[0].dedup_key


def test_the_parse_worker_prepares_items_as_the_daemon_would() -> None:
    """Keys, brands and fingerprints computed in the worker equal the in-process ones (same matcher)."""
    from monitor.crawl.prepare import BrandSpec, parse_and_prepare, prepare_items

    posts = [("突发", STORY), ("转发", "转发：" + STORY)]
    posts += [("天气", "今天天气不错"), ("通知", "星河湾的星河手机店")]
    entries = "".join(
        f"<item><guid>g{i}</guid><title>{title}</title><description>{text}</description></item>"
        for i, (title, text) in enumerate(posts)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'
    specs = tuple(BrandSpec(b.name, b.query, tuple(b.exclude)) for b in CONFIG.brands)
    document = parse_and_prepare(
        "rss", body.encode(), {"content-type": "application/rss+xml"}, "http://x/", "Asia/Shanghai",
        None, NOW, None, specs, (),
    )  # fmt: skip
    expected = prepare_items(BrandMatcher(CONFIG.brands), document.items, None)
    assert document.prepared == expected
    assert [p.brands for p in expected] == [("云帆汽车",), ("云帆汽车",), (), ()]
    assert expected[0].fingerprint and expected[2].fingerprint == 0
