"""Industry packs (rules/packs/industry/), the keys added for them (soften, defer, per-pattern requires)
and the context rules that lower a hit's severity."""

from __future__ import annotations

from pathlib import Path

import pytest

import rules
from rules.checker import industries_in
from rules.errors import RulePackError
from rules.rulepack import INDUSTRY_DIR, default_packs, industry_names, industry_packs, parse_pack

EXPECTED_INDUSTRIES = (
    "cosmetics",
    "education",
    "finance",
    "food",
    "health_food",
    "medical_device",
    "real_estate",
)


def _pack(body: str) -> str:
    return (
        '[pack]\nname = "t"\nversion = "1"\n\n[[rules]]\nid = "t.r"\ncategory = "ad_law"\n'
        'severity = "error"\nlaw = "L"\narticle = "A"\nmessage = "M"\nsuggestions = ["S"]\n' + body
    )


def test_every_industry_pack_loads_and_cites_its_articles() -> None:
    assert industry_names() == EXPECTED_INDUSTRIES
    for pack in industry_packs():
        assert pack.rules, pack.name
        for rule in pack.rules:
            assert rule.category == "ad_law"
            assert rule.article.strip() and rule.law.strip(), rule.id
            assert rule.id.startswith(f"ad_law.{pack.name}."), rule.id


def test_industry_rule_ids_do_not_clash_with_the_default_packs() -> None:
    default_ids = {r.id for p in default_packs() for r in p.rules}
    industry_ids = [r.id for p in industry_packs() for r in p.rules]
    assert len(industry_ids) == len(set(industry_ids))
    assert not default_ids & set(industry_ids)


def test_unknown_industry_names_the_known_ones() -> None:
    with pytest.raises(RulePackError, match=r"unknown industry pack.*cosmetics"):
        industry_packs(("cosmetic",))
    with pytest.raises(RulePackError):
        rules.check("美白", industries=["nope"])


@pytest.mark.parametrize(
    ("draft", "names"),
    [
        ("<!-- brandguard-industry: food, health_food -->\n正文", ("food", "health_food")),
        ("# brandguard-industry：cosmetics\n正文", ("cosmetics",)),
        ("brandguard-industry: finance、real_estate", ("finance", "real_estate")),
        ("没有标记的草稿", ()),
    ],
)
def test_industry_markers(draft: str, names: tuple[str, ...]) -> None:
    assert industries_in(draft) == names


def test_a_pack_switched_on_by_argument_or_marker_reports_the_same() -> None:
    text = "这款饮料可以增强免疫力"
    by_argument = rules.check(text, industries=["food"])
    by_marker = rules.check("brandguard-industry: food\n" + text)
    assert [f.rule_id for f in by_argument.findings] == ["ad_law.food.health_function"]
    assert [f.rule_id for f in by_marker.findings] == ["ad_law.food.health_function"]
    # Off by default: the default pack only warns.
    default_only = [(f.rule_id, f.severity) for f in rules.check(text).findings]
    assert default_only == [("ad_law.health_claims", "warning")]
    assert "food" in by_argument.rule_versions


def test_the_industry_pack_wins_on_the_same_text() -> None:
    findings = rules.check("美白精华", industries=["cosmetics"]).findings
    assert [(f.rule_id, f.text) for f in findings] == [("ad_law.cosmetics.special_efficacy", "美白")]


def test_a_deferring_rule_yields_to_any_other_finding() -> None:
    # 国务院推荐 is a state-organ error; the endorsement rule (defer = true) says nothing more.
    findings = rules.check("国务院推荐的养生茶").findings
    assert [f.rule_id for f in findings] == ["ad_law.state_organ"]


def test_a_soft_context_gives_a_warning_with_the_reason() -> None:
    (finding,) = rules.check("国内配置最高的体检车之一").findings
    assert finding.severity == "warning"
    assert finding.message.startswith("需结合上下文判断：")


def test_pack_keys_are_validated(tmp_path: Path) -> None:
    bad_defer = tmp_path / "a.toml"
    bad_defer.write_text(_pack('terms = ["x"]\ndefer = "yes"\n'), encoding="utf-8")
    with pytest.raises(RulePackError, match="'defer' must be true or false"):
        parse_pack(bad_defer)
    bad_table = tmp_path / "b.toml"
    bad_table.write_text(_pack("patterns = [{ pattern = 'a' }]\n"), encoding="utf-8")
    with pytest.raises(RulePackError, match="needs exactly 'pattern' and 'requires'"):
        parse_pack(bad_table)
    bad_soften = tmp_path / "c.toml"
    bad_soften.write_text(_pack('terms = ["x"]\n[[rules.soften]]\npattern = "x"\n'), encoding="utf-8")
    with pytest.raises(RulePackError, match=r"rules\.soften"):
        parse_pack(bad_soften)


def test_a_pattern_with_its_own_requires_runs_only_when_one_is_there(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(_pack("patterns = [{ pattern = '\\d+天', requires = '见效' }]\n"), encoding="utf-8")
    packs = (parse_pack(path),)
    assert [f.text for f in rules.check("3天见效", packs=packs).findings] == ["3天"]
    assert rules.check("3天发货", packs=packs).findings == ()


def test_line_local_patterns_stop_at_a_line_break(tmp_path: Path) -> None:
    path = tmp_path / "l.toml"
    path.write_text(_pack("patterns = ['本店[^。]{0,8}最好']\n"), encoding="utf-8")
    packs = (parse_pack(path),)
    assert [f.text for f in rules.check("本店最好", packs=packs).findings] == ["本店最好"]
    assert rules.check("本店\n最好", packs=packs).findings == ()


def test_industry_directory_is_inside_the_pack_directory() -> None:
    # monitor/audit hashes the pack files; it must look below PACK_DIR to see these.
    assert INDUSTRY_DIR.parent.name == "packs"
