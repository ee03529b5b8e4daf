"""Turn fetched bytes into text, fixing the encodings Chinese sites get wrong.

Python's "gbk" and "gb2312" codecs reject characters that GB18030 (their superset, and what browsers
use for those labels) accepts, so both labels are decoded as GB18030. Pages labelled UTF-8 that are
really GBK are common: when strict UTF-8 fails we try GB18030 before any statistical guess. feedparser
only does this when chardet happens to be installed, so we decode before it ever sees the bytes.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030"})
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_HTML_META = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_DECL_TEXT = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([\w.:-]+)([\"'])", re.I)


@dataclass
class DecodedText:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def canonical_encoding(label: str) -> str | None:
    """Python codec name for a charset label, with the GB family widened to GB18030; None if unknown."""
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    return "gb18030" if name in _GB_FAMILY else name


def declared_encodings(
    body: bytes, headers: Mapping[str, str], markup: Literal["xml", "html", "json"]
) -> list[str]:
    labels: list[str] = []
    content_type = _header(headers, "content-type")
    match = _HEADER_CHARSET.search(content_type)
    if match:
        labels.append(match.group(1))
    head = body[:4096]
    pattern = {"xml": _XML_DECL, "html": _HTML_META}.get(markup)
    if pattern is not None:
        found = pattern.search(head)
        if found:
            labels.append(found.group(1).decode("ascii", "replace"))
    return labels


def decode_body(
    body: bytes, headers: Mapping[str, str], *, markup: Literal["xml", "html", "json"]
) -> DecodedText:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return DecodedText(body.decode(name, errors="replace"), name)
    warnings: list[str] = []
    candidates: list[str] = []
    for label in declared_encodings(body, headers, markup):
        canonical = canonical_encoding(label)
        if canonical is None:
            warnings.append(f"unknown charset {label!r} ignored")
        elif canonical not in candidates:
            candidates.append(canonical)
    declared = candidates[0] if candidates else None
    for fallback in ("utf-8", "gb18030"):
        if fallback not in candidates:
            candidates.append(fallback)
    for name in candidates:
        try:
            text = body.decode(name)
        except UnicodeDecodeError:
            continue
        if declared is not None and name != declared:
            warnings.append(f"declared charset {declared} does not match the bytes; decoded as {name}")
        return DecodedText(text, name, warnings)
    return _guess(body, warnings)


def _guess(body: bytes, warnings: list[str]) -> DecodedText:
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is not None and best.encoding:
        warnings.append(f"charset guessed as {best.encoding}")
        return DecodedText(str(best), best.encoding, warnings)
    warnings.append("undecodable bytes replaced (decoded as UTF-8 with replacement characters)")
    return DecodedText(body.decode("utf-8", errors="replace"), "utf-8", warnings)


def as_utf8_xml(text: str) -> bytes:
    """Re-encode decoded XML as UTF-8 and make its declaration say so, so feedparser cannot re-guess."""
    return _XML_DECL_TEXT.sub(r"\g<1>utf-8\g<3>", text, count=1).encode("utf-8")


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""
