from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.fetch.retry_after import parse_retry_after

NOW = datetime(2025, 6, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Tue, 10 Jun 2025 01:00:00 GMT", 3600.0),
        ("Tuesday, 10-Jun-25 00:02:00 GMT", 120.0),  # obsolete RFC 850 form
        ("Mon, 09 Jun 2025 00:00:00 GMT", 0.0),  # in the past: retry now
        ("Tue, 10 Jun 2025 08:00:00 +0800", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("١٢", None),  # non-ASCII digits are not delta-seconds
        ("Tue, 99 Foo 2025 01:00:00 GMT", None),
    ],
)
def test_retry_after_forms(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected
