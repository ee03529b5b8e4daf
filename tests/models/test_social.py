"""Social-media structure and cues: emoticons, emoji, repost layers, hashtags, Latin words, slang,
negation, contrast, quotes and news register (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import social_lexicon
from models.errors import DataError
from models.features import Analyzer, make_analyzer
from models.social import parse
from models.social_features import is_negated
from models.text import prepare
from models.tokenize import best_cutter


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return make_analyzer(best_cutter()[1])


def features(analyzer: Analyzer, text: str) -> list[str]:
    return analyzer(prepare(text))


def test_emoticon_codes_and_emoji_survive_as_tokens(analyzer: Analyzer) -> None:
    post = parse(prepare("新机好用[赞]，就是贵[抓狂] 👍🏻❤️"))
    assert post.voice.emoticons == ("[赞]", "[抓狂]", "👍", "❤")
    assert "[" not in post.voice.text and "👍" not in post.voice.text
    feats = features(analyzer, "新机好用[赞]，就是贵[抓狂] 👍🏻❤️")
    assert {"e:[赞]", "e:[抓狂]", "e:👍", "e:❤", "e:+", "e:-"} <= set(feats)


def test_xiaohongshu_codes_are_matched_after_lower_casing(analyzer: Analyzer) -> None:
    assert "e:-" in features(analyzer, "用完闷痘[拔草R]")
    assert social_lexicon.emoticon_polarity()["[拔草r]"] == -1


def test_repost_layers_split_newest_first() -> None:
    post = parse(prepare("太真实了[泪]//@数码阿凯：星河新机发热严重//@小王:求助"))
    assert post.reposts == 2
    assert post.voice.text == "太真实了"
    assert [layer.text for layer in post.older] == ["星河新机发热严重", "求助"]
    assert not post.passed_on


def test_a_bare_repost_lets_the_layer_it_passes_on_speak() -> None:
    post = parse(prepare("转发微博 [吃瓜]//@财经:星河被立案调查"))
    assert post.passed_on
    assert post.voice.text == "星河被立案调查"
    assert post.voice.emoticons == ("[吃瓜]",)


def test_newest_voice_outweighs_older_layers(analyzer: Analyzer) -> None:
    feats = features(analyzer, "我的用了两年很好用[赞]//@网友:星河又翻车了，离谱")
    assert "v:+" in feats and "o:v:-" in feats
    assert "w:离谱" not in feats  # older layers give aggregate cues only, not their words


def test_hashtags_are_topic_not_words(analyzer: Analyzer) -> None:
    feats = features(analyzer, "#星河手机翻车# 我的很好用")
    assert "t:#" in feats
    assert not any(f.startswith("w:") and "翻车" in f for f in feats)
    assert "c:翻车" not in feats
    # a post that is nothing but a hashtag keeps its words
    assert parse(prepare("#星河手机召回#")).voice.text == "星河手机召回"


def test_latin_words_keep_their_boundaries(analyzer: Analyzer) -> None:
    feats = features(analyzer, "Great  Phone, battery is BAD")
    assert {"w:great", "w:phone", "w:battery", "w:bad", "b:great phone"} <= set(feats)
    assert "w:greatphone" not in feats


def test_latin_slang_matches_whole_words_only(analyzer: Analyzer) -> None:
    assert "s:-" in features(analyzer, "今天emo了")
    assert not any(f.startswith("s:") for f in features(analyzer, "看了demo视频"))


def test_a_negated_complaint_flips(analyzer: Analyzer) -> None:
    feats = features(analyzer, "用了两年，一点都不拉胯")
    assert "s:-~" in feats and "v:+" in feats
    assert "s:-" in features(analyzer, "新机太拉胯了")
    # the scope is 6 characters and never crosses a clause boundary
    text = prepare("去了好几次，没一次让我失望")
    assert is_negated(text, text.index("失望"), text.index("失望") + 2)
    text = prepare("我不知道，拉胯")
    assert not is_negated(text, text.index("拉胯"), text.index("拉胯") + 2)
    text = prepare("一点噪音都没有")
    assert is_negated(text, text.index("噪音"), text.index("噪音") + 2)


def test_contrast_marks_what_comes_after_but(analyzer: Analyzer) -> None:
    feats = features(analyzer, "外观很好看，但是发热太严重了")
    assert {"k:but", "k:<+", "k:>-"} <= set(feats)
    assert "k:<-" in features(analyzer, "物流太慢了，不过质量很好")


def test_quoted_praise_is_a_sarcasm_cue(analyzer: Analyzer) -> None:
    feats = features(analyzer, "客服真是“贴心”，永远在核实")
    assert "q:pos" in feats and "q:quote" in feats
    assert "q:pos" not in features(analyzer, "客服很贴心")


def test_news_register_with_a_risk_term(analyzer: Analyzer) -> None:
    assert "x:news+r" in features(analyzer, "据报道，星河因虚假宣传被罚款80万元")
    assert "x:news" in features(analyzer, "据报道，星河第三季度营收增长")
    assert "x:me+r" in features(analyzer, "我要投诉星河")


def test_a_bad_lexicon_line_names_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "slang.tsv"
    bad.write_text("# header\n真香\t1\n翻车\tvery bad\n", encoding="utf-8")
    monkeypatch.setattr(social_lexicon, "SLANG_FILE", bad)
    social_lexicon.slang_words.cache_clear()
    try:
        with pytest.raises(DataError, match=r"slang\.tsv: line 3"):
            social_lexicon.slang_words()
    finally:
        social_lexicon.slang_words.cache_clear()


def test_lexicon_files_are_part_of_the_feature_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.features import feature_fingerprint

    before = feature_fingerprint()
    copy = tmp_path / "slang.tsv"
    copy.write_text(social_lexicon.SLANG_FILE.read_text(encoding="utf-8") + "新词\t1\n", encoding="utf-8")
    monkeypatch.setattr(social_lexicon, "SLANG_FILE", copy)
    assert feature_fingerprint() != before


def test_lexicons_have_no_duplicate_terms() -> None:
    for path in (social_lexicon.EMOTICONS_FILE, social_lexicon.SLANG_FILE):
        terms = [
            line.split("\t")[0]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        assert len(terms) == len(set(terms)), path.name
    assert len(social_lexicon.emoticon_polarity()) >= 150
    assert len(social_lexicon.slang_substrings()[0]) + len(social_lexicon.slang_words()) >= 500
