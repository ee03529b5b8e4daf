"""[[platforms]]: one source per brand search term, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import Config, load_config
from monitor.config.platforms import query_terms
from monitor.errors import ConfigError


def test_query_terms_are_the_positive_words_and_phrases() -> None:
    assert query_terms('(星河手机 OR "Xinghe Phone" OR 星河 NEAR/6 手机) NOT 星河湾') == [
        "星河手机",
        "Xinghe Phone",
        "星河",
        "手机",
    ]
    assert query_terms("云朵奶茶 AND NOT 杯子") == ["云朵奶茶"]


def test_each_brand_term_becomes_a_json_feed_source() -> None:
    config = Config.model_validate(
        {
            "brands": [
                {"name": "云朵奶茶", "query": '云朵奶茶 OR "Cloud Tea"'},
                {"name": "别的", "query": "别的"},
            ],
            "platforms": [
                {
                    "name": "weibo",
                    "rsshub": "http://rsshub.local:1200/",
                    "brands": ["云朵奶茶"],
                    "reach_weight": 10,
                },
                {"name": "bilibili", "keywords": {"别的": ["别的 品牌"]}, "brands": ["别的"]},
            ],
        }
    )
    by_name = {s.name: s for s in config.sources}
    assert list(by_name) == ["weibo:云朵奶茶:云朵奶茶", "weibo:云朵奶茶:Cloud Tea", "bilibili:别的:别的 品牌"]
    weibo = by_name["weibo:云朵奶茶:Cloud Tea"]
    assert weibo.url == "http://rsshub.local:1200/weibo/keyword/Cloud%20Tea?format=json"
    assert (weibo.kind, weibo.platform, weibo.brands, weibo.reach_weight) == (
        "json",
        "weibo",
        ("云朵奶茶",),
        10,
    )
    assert weibo.json_mapping is not None and weibo.json_mapping.followers == "_extra.followers_count"
    assert by_name["bilibili:别的:别的 品牌"].url.endswith(
        "/bilibili/vsearch/%E5%88%AB%E7%9A%84%20%E5%93%81%E7%89%8C?format=json"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[platforms]]\nname = "kuaishou"\n', "platforms[0]: unknown platform 'kuaishou'"),
        ('[[platforms]]\nname = "zhihu"\n', "platforms[0]: route /zhihu/topic/{account} follows accounts"),
        (
            '[[platforms]]\nname = "weibo"\nrsshub = "ftp://x"\n',
            "platforms[0].rsshub: must be the http(s) base URL",
        ),
        ('[operator]\nchannels = ["nope"]\n', "operator.channels[0]: unknown channel 'nope'"),
        (
            '[[sources]]\nname = "x"\nkind = "rss"\nurl = "https://a.example.com/"\n'
            '[sources.selectors]\nitem = "li"\n',
            'sources[0]: selectors are for kind = "html" list pages',
        ),
    ],
)
def test_bad_entries_name_their_key(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "brandguard.toml"
    path.write_text('[[brands]]\nname = "A"\nquery = "A"\n\n' + extra, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value)
