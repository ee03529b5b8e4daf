"""Markup masking for HTML drafts: tags, scripts and styles blanked out, offsets kept.

A copywriter's HTML page is checked as text, but ``<meta name="best">`` or a script's ``first()`` is
no claim to a reader. Each masked character becomes a space (newlines stay newlines), so the masked
text has the same length and line structure as the original and every finding's ``start``/``end``,
line and column point into the file as written. Comments carrying a waiver marker are kept, because
that is where an HTML author puts ``brandguard-waive``.
"""

from __future__ import annotations

import re

__all__ = ["mask_markup"]

_MARKUP = re.compile(r"(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>")
_WAIVER_MARKER = "brandguard-waive"


def _blank(match: re.Match[str]) -> str:
    chunk = match.group()
    if chunk.startswith("<!--") and _WAIVER_MARKER in chunk:
        return chunk
    return "".join("\n" if ch == "\n" else " " for ch in chunk)


def mask_markup(text: str) -> str:
    """``text`` with markup blanked out; same length, same newlines."""
    return _MARKUP.sub(_blank, text)
