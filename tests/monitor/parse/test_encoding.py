from __future__ import annotations

import importlib.util
import sys

import pytest

from monitor.parse.encoding import as_utf8_xml, canonical_encoding, decode_body

TEXT = '<?xml version="1.0" encoding="{enc}"?><rss><title>品牌 新闻：喆 镕 𠀀</title></rss>'


def test_chardet_is_absent_so_feedparser_cannot_rescue_mislabelled_gbk() -> None:
    # Pinned: feedparser's own handling of GBK labelled UTF-8 depends on whether chardet is installed
    # (FIELD-NOTES). We decode before feedparser so results do not change with it; if chardet ever
    # appears in the environment, re-check test_gbk_labelled_utf8_* and update this pin.
    assert importlib.util.find_spec("chardet") is None
    assert importlib.util.find_spec("cchardet") is None


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("gbk", "gb18030"),
        ("GB2312", "gb18030"),
        ("cp936", "gb18030"),
        ("euc-cn", "gb18030"),
        ("gb18030", "gb18030"),
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ("latin-1", "iso8859-1"),
        ("nonsense", None),
    ],
)
def test_canonical_encoding(label: str, expected: str | None) -> None:
    assert canonical_encoding(label) == expected


@pytest.mark.parametrize(
    ("body_enc", "label", "headers"),
    [
        ("gb18030", "gbk", {}),  # GBK label, characters only GB18030 has (喆 镕 𠀀)
        ("gb18030", "gb2312", {}),
        ("gb18030", "utf-8", {}),  # lying declaration
        ("gb18030", "utf-8", {"Content-Type": "text/xml; charset=utf-8"}),  # lying header and declaration
        ("utf-8", "utf-8", {"Content-Type": "text/xml; charset=utf-8"}),
        ("utf-8", "utf-8", {}),
        ("utf-16", "utf-16", {}),  # BOM
    ],
)
def test_gbk_labelled_utf8_and_friends_decode_correctly(
    body_enc: str, label: str, headers: dict[str, str]
) -> None:
    body = TEXT.format(enc=label).encode(body_enc)
    decoded = decode_body(body, headers, markup="xml")
    assert "品牌 新闻：喆 镕 𠀀" in decoded.text
    lying = body_enc == "gb18030" and label == "utf-8"
    assert any("decoded as gb18030" in w for w in decoded.warnings) == lying


def test_decoding_does_not_use_chardet_even_if_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "chardet", None)  # import would fail
    body = TEXT.format(enc="utf-8").encode("gb18030")
    assert "品牌" in decode_body(body, {"content-type": "text/xml; charset=utf-8"}, markup="xml").text


def test_html_meta_charset_is_read() -> None:
    body = '<html><head><meta charset="gbk"></head><body>品牌</body></html>'.encode("gb18030")
    assert "品牌" in decode_body(body, {}, markup="html").text
    body = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>品牌</p>'.encode("gb18030")
    assert "品牌" in decode_body(body, {}, markup="html").text


def test_unknown_label_is_a_warning_and_bytes_still_decode() -> None:
    decoded = decode_body(TEXT.format(enc="x-klingon").encode(), {}, markup="xml")
    assert "品牌" in decoded.text
    assert any("x-klingon" in w for w in decoded.warnings)


def test_undecodable_bytes_fall_back_without_raising() -> None:
    decoded = decode_body(b"abc\x80\xff\x80\xffdef" * 3, {}, markup="json")
    assert decoded.text
    assert decoded.warnings


def test_as_utf8_xml_rewrites_the_declaration() -> None:
    out = as_utf8_xml(TEXT.format(enc="gbk"))
    assert out.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert "品牌".encode() in out
