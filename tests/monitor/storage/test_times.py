from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.storage.times import as_utc, as_utc_required, to_db, to_db_optional

SHANGHAI = timezone(timedelta(hours=8))


def test_to_db_converts_aware_values_to_utc() -> None:
    value = datetime(2026, 6, 10, 8, 0, tzinfo=SHANGHAI)
    assert to_db(value) == datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    assert to_db(value).utcoffset() == timedelta(0)


def test_to_db_rejects_naive_values() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_db(datetime(2026, 6, 10, 8, 0))


def test_to_db_optional_keeps_none() -> None:
    assert to_db_optional(None) is None


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (datetime(2026, 1, 1, 12, 0), datetime(2026, 1, 1, 12, 0, tzinfo=UTC)),  # SQLite: naive = UTC
        (datetime(2026, 1, 1, 20, 0, tzinfo=SHANGHAI), datetime(2026, 1, 1, 12, 0, tzinfo=UTC)),
        (datetime(2026, 1, 1, 12, 0, tzinfo=UTC), datetime(2026, 1, 1, 12, 0, tzinfo=UTC)),
    ],
)
def test_as_utc(stored: datetime, expected: datetime) -> None:
    result = as_utc(stored)
    assert result == expected
    assert result is not None and result.tzinfo == UTC
    assert as_utc_required(stored) == expected


def test_as_utc_none() -> None:
    assert as_utc(None) is None
    with pytest.raises(ValueError):
        as_utc_required(None)
