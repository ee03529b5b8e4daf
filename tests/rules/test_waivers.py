from __future__ import annotations

import pytest

import rules
from rules.errors import WaiverFileError
from rules.waivers import Waiver, parse_waiver_file


def test_inline_marker_on_the_same_line_waives_and_keeps_the_finding() -> None:
    text = "全网第一 <!-- brandguard-waive ad_law.absolute_terms 第三方榜单证书 2025-118 -->\n最佳选择"
    report = rules.check(text)
    by_text = {f.text: f for f in report.findings}
    assert by_text["全网第一"].waived is True
    assert by_text["全网第一"].waiver_reason == "第三方榜单证书 2025-118"
    assert by_text["全网第一"].waiver_source == "inline"
    assert by_text["最佳"].waived is False
    assert report.summary == {"error": 1, "warning": 0, "info": 0}
    assert report.fails("error")


def test_marker_on_its_own_line_waives_the_next_line() -> None:
    text = "<!-- brandguard-waive ad_law.* 法务已审核 -->\n\n销量冠军，顶级品质"
    report = rules.check(text)
    assert report.findings and all(f.waived for f in report.findings)
    assert report.summary == {"error": 0, "warning": 0, "info": 0}
    assert not report.fails("warning")


def test_marker_without_reason_waives_nothing() -> None:
    report = rules.check("全网第一 <!-- brandguard-waive ad_law.absolute_terms -->")
    assert [f.waived for f in report.findings] == [False]


def test_marker_for_another_rule_does_not_waive() -> None:
    report = rules.check("全网第一 # brandguard-waive pii.mobile 客服号码")
    assert [f.waived for f in report.findings] == [False]


def test_terms_inside_the_marker_reason_are_not_findings() -> None:
    report = rules.check("# brandguard-waive * 奖项“销量第一”真实有效\n第一品牌")
    assert [f.text for f in report.findings] == ["第一品牌"]


def test_api_waivers_with_text_filter() -> None:
    waivers = [Waiver("ad_law.absolute_terms", "证书 118", text="全网第一")]
    report = rules.check("全网第一，顶级", waivers=waivers)
    assert {(f.text, f.waived, f.waiver_source) for f in report.findings} == {
        ("全网第一", True, "file"),
        ("顶级", False, None),
    }


def test_parse_waiver_file() -> None:
    entries = parse_waiver_file(
        '[[waivers]]\nrule = "ad_law.*"\nreason = "法务批准"\npaths = ["campaign/*.md"]\n', "w.toml"
    )
    assert entries[0].waiver == Waiver("ad_law.*", "法务批准")
    assert entries[0].applies_to("campaign/a.md")
    assert not entries[0].applies_to("other/a.md")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[waivers]]\nrule = "ad_law.absolute_terms"\n', "'reason' is required"),
        ('[[waivers]]\nrule = "Bad Rule"\nreason = "x"\n', "'rule' must be"),
        ('[[waivers]]\nrule = "*"\nreason = "x"\nextra = 1\n', "unknown key(s) extra"),
        ("[[waivers]\n", "invalid TOML"),
    ],
)
def test_bad_waiver_files(text: str, message: str) -> None:
    with pytest.raises(WaiverFileError, match=r"w\.toml") as info:
        parse_waiver_file(text, "w.toml")
    assert message in str(info.value)
