from __future__ import annotations

import hashlib
import random

import rules
from rules.findings import Report


def test_report_shape_and_json_contract() -> None:
    text = "第一行\n  全网第一，联系13812345678"
    report = rules.check(text)
    assert isinstance(report, Report)
    assert report.text_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert set(report.rule_versions) == {"ad_law", "pipl", "pii"}
    first = report.findings[0].to_dict()
    assert set(first) >= {
        "rule_id",
        "category",
        "severity",
        "start",
        "end",
        "line",
        "column",
        "text",
        "message",
        "law",
        "article",
        "suggestions",
    }
    assert (first["line"], first["column"], first["text"]) == (2, 3, "全网第一")
    assert report.summary == {"error": 1, "warning": 1, "info": 0}


def test_fail_on_levels() -> None:
    warning_only = rules.check("联系13812345678")
    assert not warning_only.fails("error")
    assert warning_only.fails("warning")
    assert not warning_only.fails("never")


def test_valid_id_number_is_reported_once() -> None:
    report = rules.check("身份证110105199003071239")
    assert [f.rule_id for f in report.findings] == ["pii.id_number"]


def test_offsets_hold_for_random_mixtures() -> None:
    rng = random.Random(11)
    pieces = [
        "全网第一",
        "頂級",
        "ＮＯ．１",
        "最 好",
        "第一次",
        "\r\n",
        "　",
        "①",
        "手机号",
        "13812345678",
        "，",
        "abc",
    ]
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        for f in rules.check(text).findings:
            assert text[f.start : f.end] == f.text
            assert f.line == text.count("\n", 0, f.start) + 1
            assert f.column == f.start - (text.rfind("\n", 0, f.start) + 1) + 1


def test_checker_findings_equal_ones_built_by_the_dataclass_constructor() -> None:
    import dataclasses

    from rules.findings import Finding

    report = rules.check("全网第一，頂級面料，联系13812345678，最 好的选择")
    assert report.findings
    names = {field.name for field in dataclasses.fields(Finding)}
    for finding in report.findings:
        assert set(vars(finding)) == names  # every field set, none extra
        rebuilt = Finding(**vars(finding))
        assert rebuilt == finding and hash(rebuilt) == hash(finding) and repr(rebuilt) == repr(finding)
