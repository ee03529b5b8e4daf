"""BrandMatcher: all brands in one scan, folding once per item, exclusions veto."""

from __future__ import annotations

import pytest

from monitor.config import BrandConfig
from monitor.matching.matcher import BrandMatcher

BRANDS = [
    BrandConfig(
        name="星河手机",
        query='(星河手机 OR "Xinghe Phone" OR 星河 NEAR/6 手机) NOT 星河湾',
        exclude=("星河湾小区", "星河影院"),
    ),
    BrandConfig(name="云朵奶茶", query='云朵奶茶 OR "Cloud Tea" OR (云朵 NEAR/4 (奶茶 OR 茶饮))'),
    BrandConfig(name="OPPO", query="oppo"),
]


@pytest.fixture(scope="module")
def matcher() -> BrandMatcher:
    return BrandMatcher(BRANDS)


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("星河手机电池鼓包", "", ["星河手机"]),
        ("", "我的星河手機充電發燙", ["星河手机"]),  # traditional
        ("ＸＩＮＧＨＥ　ＰＨＯＮＥ 评测", "", ["星河手机"]),  # full width
        ("", "星 河 手 机 降价", ["星河手机"]),  # spaced out
        ("星河手机和云朵奶茶联名", "", ["星河手机", "云朵奶茶"]),  # config order
        ("云朵家的新茶饮", "", ["云朵奶茶"]),
        ("星河湾小区业主投诉", "有人拿着星河手机", []),  # exclusion vetoes even if the query matches
        ("星河影院", "星河手机首映礼", []),
        ("opposite", "", []),
        ("OPPO 新品", "", ["OPPO"]),
        ("今日天气", "晴", []),
        # title and body are not fused into one word: 星河 | 手机 are 3 folded characters apart
        ("最新消息星河", "手机", ["星河手机"]),
    ],
)
def test_match(matcher: BrandMatcher, title: str, text: str, expected: list[str]) -> None:
    assert matcher.match(title, text) == expected


def test_title_and_text_do_not_fuse_into_one_term() -> None:
    matcher = BrandMatcher([BrandConfig(name="b", query="星河手机")])
    assert matcher.match("新闻：星河", "手机发布") == []


def test_only_restricts_to_a_sources_brands(matcher: BrandMatcher) -> None:
    assert matcher.match("星河手机和云朵奶茶", "", only=["云朵奶茶"]) == ["云朵奶茶"]
    assert matcher.match("星河手机", "", only=[]) == []


def test_match_detail_spans_point_into_folded_text(matcher: BrandMatcher) -> None:
    folded = BrandMatcher.fold("星河手機", "")
    [hit] = matcher.match_detail("星河手機", "")
    assert [folded[s:e] for s, e in hit.spans] == ["星河", "星河手机", "手机"]


def test_no_brands_matches_nothing() -> None:
    assert BrandMatcher([]).match("星河手机", "任何内容") == []
