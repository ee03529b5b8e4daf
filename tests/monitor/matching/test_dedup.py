"""Stable keys and SimHash story linking, with real-looking reposts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.matching.dedup import (
    canonical_link,
    document_keys,
    hamming,
    link_story,
    new_story_key,
    simhash,
    simhash_many,
    stable_key,
)

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://News.Example.COM/a/1.html#comments", "https://news.example.com/a/1.html"),
        ("https://news.example.com:443/a?b=2&a=1", "https://news.example.com/a?a=1&b=2"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/a?utm_source=wx&utm_medium=share&id=7", "https://example.com/a?id=7"),
        (
            "https://item.example.com/p?spm=a21.b&from=timeline&share_token=zz&id=9",
            "https://item.example.com/p?id=9",
        ),
        ("https://example.com", "https://example.com/"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
        ("http://[2001:db8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("http://Example.com:99999/a", "http://example.com:99999/a"),  # bad port: kept, no crash
        ("https://user:pw@Example.com/a", "https://example.com/a"),
    ],
)
def test_canonical_link(url: str, canonical: str) -> None:
    assert canonical_link(url) == canonical


def test_stable_key_prefers_guid_then_link_then_title_and_date() -> None:
    by_guid = stable_key(" guid-1 ", "https://a.example/1", "标题", T0)
    assert by_guid == stable_key("guid-1", "https://A.example/changed-slug", "别的", None)
    # the same numeric id on two sites is two posts
    assert stable_key("12345", "https://a.example/p", None, None) != stable_key(
        "12345", "https://b.example/p", None, None
    )
    assert len(by_guid) == 64 and int(by_guid, 16) >= 0

    by_link = stable_key(None, "https://a.example/1?utm_source=x#top", "标题", T0)
    assert by_link == stable_key("  ", "https://A.example/1", "不同标题", None)
    assert by_link != by_guid

    by_title = stable_key(None, None, "星河手機 發佈會", T0)
    # same instant in another offset, same title after folding -> same key
    assert by_title == stable_key("", "", "星河手机 发布会", T0.astimezone(timezone(timedelta(hours=8))))
    assert by_title != stable_key(None, None, "星河手机 发布会", T0 + timedelta(hours=1))


def test_duplicate_guids_inside_one_document_fall_back() -> None:
    items = [
        ("https://site.example/", "https://site.example/p/1", "第一条", T0),
        ("https://site.example/", "https://site.example/p/2", "第二条", T0),
        ("unique-3", "https://site.example/p/3", "第三条", T0),
        ("https://site.example/", "https://site.example/p/1?utm_source=rss", "第一条", T0),
    ]
    keys = document_keys(items)
    assert keys[0] != keys[1]  # the shared guid would have merged two different posts
    assert keys[2] == stable_key("unique-3", "https://site.example/other", None, None)
    assert keys[0] == keys[3]  # a true duplicate still collapses (same canonical link)


STORY = (
    "星河手机X5被曝电池鼓包，多名用户在社交平台投诉称充电时机身严重发烫，部分机型后盖被顶起。"
    "星河手机客服回应称，将为受影响用户提供免费检测和换新服务，具体批次仍在排查中。"
)
REPOSTS = [
    "转发微博：" + STORY,
    "【突发】" + STORY + "（来源：新浪科技）",
    "#星河手机电池门# " + STORY + " 网页链接 https://t.cn/A6abcd",
    "转发 " + STORY.replace("，", ", ") + "\n来源：澎湃新闻",
    STORY.replace("手机", "手機").replace("发烫", "發燙") + " //@数码博主:",
    "【星河手机电池鼓包】 " + STORY + "（via 科技日报）",
]
OTHER_STORIES = [
    "星河手机发布新款X6，搭载自研芯片星河一号，售价3999元起，下周一在各大电商平台正式开售，首批备货充足。",
    "星河手机X5电池问题持续发酵，官方今日发布声明称系个别批次电芯供应商问题，已启动召回并向用户致歉。",
    "星河湾小区今日举办业主大会，讨论物业费调整方案，多名业主对停车位价格提出异议，物业表示将再议。",
    "星河手机年度财报显示营收同比增长百分之二十，海外市场表现亮眼，东南亚出货量首次超过国内市场。",
]


@pytest.mark.parametrize("repost", REPOSTS)
def test_reposts_link_to_the_original_story(repost: str) -> None:
    original = simhash(STORY)
    assert hamming(original, simhash(repost)) <= 3
    assert link_story(simhash(repost), [(original, "story-1")]) == "story-1"


@pytest.mark.parametrize("other", OTHER_STORIES)
def test_different_stories_about_the_same_brand_do_not_link(other: str) -> None:
    assert hamming(simhash(STORY), simhash(other)) > 10
    assert link_story(simhash(other), [(simhash(STORY), "story-1")]) is None


def test_link_story_picks_the_nearest_within_distance() -> None:
    fp = 0b1011
    recent = [(fp ^ 0b111, "three-away"), (fp ^ 0b1, "one-away"), (fp ^ 0b1111, "four-away")]
    assert link_story(fp, recent) == "one-away"
    assert link_story(fp, [(fp ^ 0b1111, "four-away")], max_distance=3) is None
    assert link_story(fp, [(fp ^ 0b1111, "four-away")], max_distance=4) == "four-away"
    nine_away = fp ^ 0b1_1111_1111
    assert link_story(fp, [(nine_away, "nine-away")]) is None  # default: 8 bits
    assert link_story(fp, []) is None


def test_simhash_is_unsigned_64_bit_stable_and_zero_means_none() -> None:
    value = simhash(STORY)
    assert 0 < value < 2**64
    assert value == simhash(STORY)  # no per-process hash seed
    assert simhash("转发微博") == 0 and simhash("") == 0
    assert link_story(0, [(0, "empty")]) is None  # empty texts never link to each other
    assert new_story_key(0, fallback="dedup-key") == "dedup-key"
    assert new_story_key(value) == f"sh:{value:016x}"


def test_hamming_masks_signed_values() -> None:
    assert hamming(-1, 2**64 - 1) == 0
    assert hamming(0, 2**64 - 1) == 64


COMMENTED_REPOSTS = [
    "这也太离谱了吧！" + STORY,
    "太可怕了//@数码博主: " + STORY,
    STORY + "大家怎么看？",
    STORY.replace("多名", "不少"),
]


@pytest.mark.parametrize("repost", COMMENTED_REPOSTS)
def test_reposts_with_added_words_stay_well_inside_the_gap_to_other_stories(repost: str) -> None:
    # Measured: a short comment added to a ~90-character post moves 3-7 bits, while different stories
    # about the same brand stay >= 20 bits apart; the default distance links these.
    assert hamming(simhash(STORY), simhash(repost)) <= 8
    assert link_story(simhash(repost), [(simhash(STORY), "story-1")]) == "story-1"
    assert all(hamming(simhash(other), simhash(STORY)) >= 20 for other in OTHER_STORIES)


def test_simhash_many_equals_one_at_a_time_on_every_edge() -> None:
    """The batched fingerprints are the single ones: empty, too short, too few shingles, repeats, noise."""
    import random

    rng = random.Random(17)
    alphabet = "星河手机云帆汽车自燃召回abcXY12 ，。转发//@某人:【热点】http://t.cn/x 来源：新浪"
    batches: list[list[str]] = [[], [""], ["ab"], ["abcd"], ["星河手机星河手机"] * 3]
    for _ in range(300):
        lengths = [rng.choice([0, 1, 2, 3, 4, 5, 6, 10, 40, 200]) for _ in range(rng.randint(1, 25))]
        batches.append(["".join(rng.choice(alphabet) for _ in range(n)) for n in lengths])
    for texts in batches:
        assert simhash_many(texts) == [simhash(t) for t in texts], texts
