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
