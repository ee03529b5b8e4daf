from __future__ import annotations

import pytest

from alerts.story import WORDING_BAR, best_match, same_story, wording_score
from alerts.story_text import IDF_PATH, features, weight, wording_similarity


def test_features_are_characters_pairs_and_latin_runs_without_brand_or_repost_noise() -> None:
    found = features("转发：云帆X7起火", brand="云帆")
    assert {"起", "火", "起火", "x7"} <= found
    assert not {"云", "帆", "转发", "云帆"} & found


def test_rare_words_weigh_more_than_common_characters() -> None:
    assert weight("自燃") > weight("的") and weight("偷税") > weight("公司")
    assert weight("税") < weight("偷税")  # a lone character says less than a pair


def test_shipped_idf_table_names_its_corpus_size() -> None:
    first = IDF_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#documents\t") and int(first.split("\t")[1]) >= 10_000


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("洁净洗衣机起火，家中阳台被烧毁", "洁净洗衣机自燃，业主称正在脱水"),  # event lexicon
        ("云帆S3因制动系统缺陷被召回", "市场监管总局：云帆汽车回收部分S3车型"),
        # Words the lexicon does not know: the shared rare words carry it.
        ("洁净热水器漏电，用户洗澡受伤送医", "用户起诉洁净：热水器漏电致其受伤"),
        ("鲜果茶被曝偷税两千万", "税务局通报：鲜果茶偷税案细节公布"),
    ],
)
def test_one_event_in_other_words_is_one_story(a: str, b: str) -> None:
    brand = next(name for name in ("洁净", "云帆", "鲜果茶") if name in a)
    assert same_story(a, b, brand=brand)


@pytest.mark.parametrize(
    ("brand", "a", "b"),
    [
        ("云帆", "【突发】云帆S3召回", "【突发】云帆用户数据泄露"),  # another kind of event, same template
        ("云帆", "云帆X7在上海地库起火", "杭州一充电站云帆X7充电时起火"),  # another city
        ("极光", "极光P9电池起火", "极光P7自燃"),  # another model
        ("云帆", "热搜：云帆高管涉嫌受贿被调查", "热搜：云帆全系降价，老车主维权"),  # unknown kinds
        ("鲜果茶", "鲜果茶门店接连关店", "鲜果茶店员辱骂顾客"),
    ],
)
def test_different_events_of_one_brand_stay_apart(brand: str, a: str, b: str) -> None:
    assert not same_story(a, b, brand=brand)


def test_wording_similarity_bounds() -> None:
    assert wording_similarity("鲜果茶偷税被查", "鲜果茶偷税被查", brand="鲜果茶") == pytest.approx(1.0)
    assert wording_similarity("好", "好") == 0.0  # too short to judge
    assert 0.0 <= wording_similarity("云帆高管被查", "云帆门店关闭", brand="云帆") < WORDING_BAR


def test_a_lower_configured_bar_lowers_the_weighted_bar_in_proportion() -> None:
    a, b = "云帆车主投诉异响，4S店推诿", "异响问题未解决，云帆车主再次投诉"
    low = wording_score(a, b, brand="云帆", min_similarity=0.3)
    assert low > 0 and low == pytest.approx(2 * wording_score(a, b, brand="云帆", min_similarity=0.6))


def test_best_match_links_a_rewording_outside_the_lexicon_and_keeps_the_other_incident() -> None:
    candidates = [(1, ["偷税"], ["鲜果茶被曝偷税两千万"]), (2, ["辱骂"], ["鲜果茶店员辱骂顾客"])]
    kw = {"brand": "鲜果茶", "min_similarity": 0.6, "min_similarity_with_terms": 0.3}
    assert best_match("税务局通报：鲜果茶偷税案细节公布", [], candidates, **kw) == 1  # type: ignore[arg-type]
    assert best_match("鲜果茶新品上市", [], candidates, **kw) is None  # type: ignore[arg-type]
