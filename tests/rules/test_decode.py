from __future__ import annotations

import codecs

import pytest

from rules.decode import decode_draft
from rules.errors import BinaryDraftError, DraftDecodeError

TEXT = "全网第一的产品\r\n第二行"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (b"", "utf-8"),
    ],
)
def test_decodes_and_keeps_newlines(data: bytes, encoding: str) -> None:
    text, used = decode_draft(data)
    assert used == encoding
    assert text == ("" if not data else TEXT)


def test_binary_is_refused() -> None:
    with pytest.raises(BinaryDraftError, match="binary"):
        decode_draft(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_undecodable_is_refused_with_offset() -> None:
    with pytest.raises(DraftDecodeError, match="offset 3"):
        decode_draft("abcé garçon à la café".encode("latin-1"))
