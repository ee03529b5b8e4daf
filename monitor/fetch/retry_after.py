"""Retry-After header values: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait, or None when the header is absent or garbage (callers use their own backoff).

    An HTTP date in the past means "now" (0.0); a date without a zone is taken as UTC, as HTTP dates are.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
