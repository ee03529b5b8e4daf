"""Turning draft bytes into text: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK.

Why not charset detection: copy decks here are UTF-8 or GBK (older Windows Office exports). Trying UTF-8
strictly and then GB18030 strictly, and accepting GB18030 only when the result is mostly Chinese, is
deterministic and fast; anything else is refused with a clear message rather than checked as mojibake.
"""

from __future__ import annotations

import codecs

from rules.errors import BinaryDraftError, DraftDecodeError

_SNIFF = 8192


def _mostly_chinese(text: str) -> bool:
    non_ascii = [ch for ch in text if ord(ch) > 0x7F]
    if not non_ascii:
        return True
    cjk = sum(
        1
        for ch in non_ascii
        if "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or "\u2010" <= ch <= "\u2027"
    )
    return cjk / len(non_ascii) >= 0.8


def decode_draft(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; the BOM is removed, newlines are left as they are."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DraftDecodeError(f"has a UTF-8 BOM but invalid UTF-8 at byte {exc.start + 3}") from None
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[2:].decode(name), name
            except UnicodeDecodeError:
                raise DraftDecodeError(f"has a {name} BOM but is not valid {name}") from None
    if b"\x00" in data[:_SNIFF]:
        raise BinaryDraftError("looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _mostly_chinese(text):
        return text, "gb18030"
    raise DraftDecodeError(
        f"cannot be decoded: not UTF-8 (invalid byte 0x{data[utf8_error.start]:02x} at offset "
        f"{utf8_error.start}) and not GB18030/GBK Chinese text; re-save it as UTF-8"
    )
