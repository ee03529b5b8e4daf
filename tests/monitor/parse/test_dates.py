from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.errors import ParseError
from monitor.parse.dates import from_epoch, parse_date, zone

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
SHANGHAI = zone("Asia/Shanghai")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # RFC 822: CST means the source's zone (+08:00), not US Central as email.utils/feedparser read it
        ("Tue, 10 Jun 2025 08:00:00 CST", utc(2025, 6, 10, 0, 0)),
        ("Tue, 10 Jun 2025 08:00:00 +0800", utc(2025, 6, 10, 0, 0)),
        ("Tue, 10 Jun 2025 08:00:00 GMT", utc(2025, 6, 10, 8, 0)),
        ("Tue, 10 Jun 2025 08:00:00", utc(2025, 6, 10, 0, 0)),  # no zone: source zone
        ("Tue, 10 Jun 2025 08:00:00 北京时间", utc(2025, 6, 10, 0, 0)),
        ("10 Jun 2025 08:00 EST", utc(2025, 6, 10, 13, 0)),
        # Chinese and numeric formats
        ("2025年06月10日 08:00", utc(2025, 6, 10, 0, 0)),
        ("2025年6月1日", utc(2025, 5, 31, 16, 0)),
        ("2025年06月10日 08时05分", utc(2025, 6, 10, 0, 5)),
        ("06月10日 08:00", utc(2025, 6, 10, 0, 0)),
        ("2025-06-10 08:00:00", utc(2025, 6, 10, 0, 0)),
        ("2025/06/10 08:00", utc(2025, 6, 10, 0, 0)),
        ("2025.06.10", utc(2025, 6, 9, 16, 0)),
        ("２０２５－０６－１０ ０８：００", utc(2025, 6, 10, 0, 0)),  # full-width digits
        ("2025-06-10T08:00:00Z", utc(2025, 6, 10, 8, 0)),
        ("2025-06-10T08:00:00+08:00", utc(2025, 6, 10, 0, 0)),
        ("2025-06-10T08:00:00.5+0800", datetime(2025, 6, 10, 0, 0, 0, 500000, tzinfo=UTC)),
        ("2025-06-10 08:00 UTC", utc(2025, 6, 10, 8, 0)),
        ("2025/6/10 下午 3:05", utc(2025, 6, 10, 7, 5)),
        ("2025年6月10日 上午8:00", utc(2025, 6, 10, 0, 0)),
        ("2025-06-10 晚上 11:00", utc(2025, 6, 10, 15, 0)),
        ("Tue Jun 10 08:00:00 CST 2025", utc(2025, 6, 10, 0, 0)),  # Java Date.toString(), common in CN feeds
        ("2025-06-10 08:00:00 +0800", utc(2025, 6, 10, 0, 0)),
        ("2025-6-1 8:05", utc(2025, 6, 1, 0, 5)),
        # month-day only: this year, or last year when that would be in the future
        ("06-10 08:00", utc(2025, 6, 10, 0, 0)),
        ("12-30 08:00", utc(2024, 12, 30, 0, 0)),
        # relative to now
        ("刚刚", NOW),
        ("3小时前", utc(2025, 6, 10, 9, 0)),
        ("5 分钟前", utc(2025, 6, 10, 11, 55)),
        ("2天前", utc(2025, 6, 8, 12, 0)),
        ("昨天 12:00", utc(2025, 6, 9, 4, 0)),
        ("前天 23:30", utc(2025, 6, 8, 15, 30)),
        ("今天 08:00", utc(2025, 6, 10, 0, 0)),
        # Unix timestamps (feedparser turns these into the year 1749)
        ("1749542400", utc(2025, 6, 10, 8, 0)),
        ("1749542400000", utc(2025, 6, 10, 8, 0)),
        ("1749542400.5", datetime(2025, 6, 10, 8, 0, 0, 500000, tzinfo=UTC)),
        # nothing usable
        ("", None),
        ("   ", None),
        ("garbage", None),
        ("2025-13-45 08:00", None),
        ("2025年02月30日", None),
        ("42", None),
        (None, None),
    ],
)
def test_parse_date(raw: str | None, expected: datetime | None) -> None:
    assert parse_date(raw, tz=SHANGHAI, now=NOW) == expected


def test_zone_of_the_source_is_used_for_local_times() -> None:
    assert parse_date("2025-06-10 08:00", tz=zone("Europe/Berlin"), now=NOW) == utc(2025, 6, 10, 6, 0)
    assert parse_date("Tue, 10 Jun 2025 08:00:00 CST", tz=zone("UTC"), now=NOW) == utc(2025, 6, 10, 8, 0)


def test_day_words_use_the_calendar_day_in_the_source_zone() -> None:
    # 2025-06-10 17:00 UTC is already 06-11 01:00 in Shanghai: "昨天" is 06-10 there.
    late = utc(2025, 6, 10, 17, 0)
    assert parse_date("昨天 12:00", tz=SHANGHAI, now=late) == utc(2025, 6, 10, 4, 0)


def test_unknown_zone_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="Mars/Olympus"):
        zone("Mars/Olympus")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1749542400, utc(2025, 6, 10, 8, 0)),
        (1749542400000, utc(2025, 6, 10, 8, 0)),
        (0, None),
        (-5, None),
        (1e20, None),
    ],
)
def test_from_epoch(value: float, expected: datetime | None) -> None:
    assert from_epoch(value) == expected
