from __future__ import annotations

from pathlib import Path

import pytest

import rules
from rules.errors import RulePackError
from rules.rulepack import PACK_DIR, default_packs, parse_pack

GOOD_RULE = """
[pack]
name = "custom"
version = "1"

[[rules]]
id = "custom.x"
category = "ad_law"
severity = "error"
law = "广告法"
article = "第九条"
message = "m"
suggestions = ["s"]
terms = ["最牛"]
"""


def test_bundled_packs_load_with_versions() -> None:
    packs = default_packs()
    assert {p.name for p in packs} == {"ad_law", "pipl", "pii"}
    assert all(p.version for p in packs)
    for pack in packs:
        for rule in pack.rules:
            assert rule.message and rule.law and rule.article and rule.suggestions


def test_custom_pack_is_used_by_check(tmp_path: Path) -> None:
    pack = parse_pack(tmp_path / "custom.toml", GOOD_RULE)
    report = rules.check("这个最牛", packs=(pack,))
    assert [(f.rule_id, f.text) for f in report.findings] == [("custom.x", "最牛")]
    assert report.rule_versions == {"custom": "1"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('severity = "error"', 'severity = "fatal"'), "rule 'custom.x': severity must be one of"),
        (('category = "ad_law"', 'category = "law"'), "rule 'custom.x': category must be one of"),
        (('message = "m"\n', ""), "rule 'custom.x': missing required key 'message'"),
        (('terms = ["最牛"]', 'terms = ["最牛"]\ntrems = ["x"]'), "rule 'custom.x': unknown key(s) trems"),
        (
            ('terms = ["最牛"]', "patterns = ['(unclosed']"),
            "rule 'custom.x': 'patterns': bad regular expression",
        ),
        (('terms = ["最牛"]', ""), "rule 'custom.x': a terms rule needs 'terms' or 'patterns'"),
        (('version = "1"', ""), "[pack] needs a 'version' string"),
        (('suggestions = ["s"]', 'suggestions = "s"'), "'suggestions' must be a list of non-empty strings"),
        (("[pack]", "[pack"), "invalid TOML"),
    ],
)
def test_invalid_pack_names_file_and_rule(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    old, new = edit
    assert old in GOOD_RULE
    with pytest.raises(RulePackError) as info:
        parse_pack(tmp_path / "broken.toml", GOOD_RULE.replace(old, new, 1))
    assert "broken.toml" in str(info.value)
    assert message in str(info.value)


def test_duplicate_rule_ids_are_rejected(tmp_path: Path) -> None:
    text = GOOD_RULE + GOOD_RULE[GOOD_RULE.index("[[rules]]") :]
    with pytest.raises(RulePackError, match="duplicate rule id"):
        parse_pack(tmp_path / "dup.toml", text)


def test_pack_files_exist() -> None:
    for name in ("ad_law", "pipl", "pii", "risk_terms"):
        assert (PACK_DIR / f"{name}.toml").is_file()
