from __future__ import annotations

import pytest

from monitor.audit.masking import mask_free_text, mask_personal, masked_finding, summarise


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812345678", "***********"),
        ("身份证 11010519491231002X", "身份证 *****************X"),
        ("zhang.san@example.com", "z********@example.com"),
        ("6222 0212 3456 7890", "**** **** **** ****"),
    ],
)
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask_personal(text) == masked


def test_waiver_reason_hides_long_digit_runs_only() -> None:
    assert (
        mask_free_text("法务确认 2026 年可用，联系 13812345678") == "法务确认 2026 年可用，联系 ***********"
    )


def test_masked_finding_keeps_what_auditors_need_and_no_raw_pii() -> None:
    pii = {
        "rule_id": "pii.mobile",
        "category": "pii",
        "severity": "error",
        "start": 3,
        "end": 14,
        "line": 1,
        "text": "13812345678",
        "message": "手机号",
    }
    ad = {
        "rule_id": "ad_law.superlative",
        "category": "ad_law",
        "severity": "error",
        "start": 0,
        "end": 2,
        "text": "最佳",
        "waived": True,
        "waiver_reason": "引用第三方奖项名称",
    }
    assert masked_finding(pii) == {
        "rule_id": "pii.mobile",
        "category": "pii",
        "severity": "error",
        "span": [3, 14],
        "waived": False,
        "line": 1,
        "masked": "***********",
    }
    masked_ad = masked_finding(ad)
    assert masked_ad["term"] == "最佳" and masked_ad["reason"] == "引用第三方奖项名称" and masked_ad["waived"]
    assert summarise([masked_finding(pii), masked_ad]) == {"error": 1, "warning": 0, "info": 0, "waived": 1}


def test_findings_may_be_objects() -> None:
    class Finding:
        rule_id, category, severity, start, end, text = "pii.mobile", "pii", "warning", 0, 11, "13812345678"

    assert masked_finding(Finding())["masked"] == "***********"


FINDINGS: list[dict[str, object]] = [
    # personal data, not waived, with a line
    {
        "rule_id": "pii.mobile",
        "category": "pii",
        "severity": "error",
        "start": 3,
        "end": 14,
        "line": 2,
        "text": "13812345678",
    },
    # waived with a reason that quotes a phone number
    {
        "rule_id": "ad_law.superlative",
        "category": "ad_law",
        "severity": "error",
        "start": 0,
        "end": 2,
        "text": "最佳",
        "waived": True,
        "waiver_reason": "法务 2026 批准，电话 13812345678",
    },
    # waived personal data, the reason under its other name
    {
        "rule_id": "pipl.email",
        "category": "pipl",
        "severity": "warning",
        "start": 1,
        "end": 22,
        "text": "zhang.san@example.com",
        "waived": True,
        "reason": "客服邮箱 400123456 公开",
    },
    # waived without any reason; spans given as None
    {
        "rule_id": "ad_law.first",
        "category": "ad_law",
        "severity": "info",
        "start": None,
        "end": None,
        "text": "第一",
        "waived": True,
    },
    # almost nothing given: every default
    {"rule_id": "x"},
]


@pytest.mark.parametrize("fields", FINDINGS, ids=lambda f: str(f["rule_id"]))
def test_mapping_and_object_findings_give_identical_records(fields: dict[str, object]) -> None:
    from types import MappingProxyType, SimpleNamespace

    record = masked_finding(fields)
    assert masked_finding(SimpleNamespace(**fields)) == record
    assert masked_finding(MappingProxyType(fields)) == record  # any Mapping, not only dict


def test_identical_records_hold_the_masked_values() -> None:
    from types import SimpleNamespace

    pii, ad, pipl, bare_waiver, minimal = (masked_finding(SimpleNamespace(**f)) for f in FINDINGS)
    assert pii == {
        "rule_id": "pii.mobile",
        "category": "pii",
        "severity": "error",
        "span": [3, 14],
        "waived": False,
        "line": 2,
        "masked": "***********",
    }
    assert ad["term"] == "最佳" and ad["reason"] == "法务 2026 批准，电话 ***********"
    assert pipl["masked"] == "z********@example.com" and pipl["reason"] == "客服邮箱 ********* 公开"
    assert "term" not in pipl and "13812345678" not in str(pii)
    assert bare_waiver == {
        "rule_id": "ad_law.first",
        "category": "ad_law",
        "severity": "info",
        "span": [0, 0],
        "waived": True,
        "term": "第一",
        "reason": "",
    }
    assert minimal == {"rule_id": "x", "category": "", "severity": "", "span": [0, 0], "waived": False}


def test_a_mapping_is_read_by_key_even_if_it_has_attributes_of_the_same_name() -> None:
    class AttrMapping(dict):  # type: ignore[type-arg]
        category = "ad_law"
        text = "attribute text"

    finding = AttrMapping(rule_id="pii.mobile", category="pii", severity="error", text="13812345678")
    record = masked_finding(finding)
    assert record["category"] == "pii" and record["masked"] == "***********" and "term" not in record
