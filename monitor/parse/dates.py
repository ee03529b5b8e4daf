"""Publication dates as Chinese sources write them, read in the source's own time zone.

feedparser gets these wrong (FIELD-NOTES): ``CST`` becomes US Central (14 hours off), ``2025年06月10日``
parses to a wrong date silently and a Unix timestamp lands in 1749. So we parse the raw strings here.
A date without a zone, or with ``CST``/``北京时间``, is in ``source_tz`` (default Asia/Shanghai).
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.errors import ParseError

_RELATIVE_UNITS = {"秒": 1, "分钟": 60, "分": 60, "小时": 3600, "天": 86400, "周": 7 * 86400}
_RELATIVE = re.compile(r"^(\d+)\s*(秒|分钟|分|小时|天|周)\s*前$")
_DAY_WORD = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2})[:：](\d{2})(?::(\d{2}))?$")
_DAY_OFFSETS = {"今天": 0, "昨天": 1, "前天": 2}
_CHINESE = re.compile(
    r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日?"
    r"\s*(?:(\d{1,2})\s*[:时]\s*(\d{1,2})\s*分?(?:\s*:?\s*(\d{1,2})\s*秒?)?)?$"
)
_NUMERIC = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$",
    re.I,
)
_SHORT = re.compile(r"^(\d{1,2})[-/](\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")
# Zone names that mean "the source's own time" on Chinese sites; email.utils would read CST as UTC-6.
_LOCAL_ZONE_WORDS = re.compile(r"\s*(?:\bCST\b|\bCCT\b|\bBJT\b|北京时间|\(CST\))\s*", re.I)
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# "下午 3:05" is 15:05; "上午 12:30" stays 12:30 as Chinese sites write it (they rarely mean 00:30).
_HALF_DAY = re.compile(r"(上午|早上|凌晨|中午|下午|晚上)\s*(\d{1,2})(?=\s*[:：时])")
_AFTERNOON = frozenset({"下午", "晚上"})
# email.utils reports offset 0 both for "GMT" and for no zone at all, so we look for the zone ourselves.
_RFC822_ZONE = re.compile(r"\d:\d{2}(?::\d{2})?\s*([+-]\d{4}|GMT|UTC?|Z|[ECMP][SD]T)$", re.I)


def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ParseError(f"unknown time zone {name!r} for this source") from exc


def from_epoch(value: float) -> datetime | None:
    """Unix seconds or milliseconds (values past year 5138 in seconds are taken as milliseconds)."""
    seconds = value / 1000 if value > 1e11 else value
    try:
        result = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return result if result >= _EARLIEST else None


def parse_date(raw: str | None, *, tz: tzinfo, now: datetime) -> datetime | None:
    """UTC datetime for ``raw``, or None when it is empty or in no format we know. Not clamped."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    text = _HALF_DAY.sub(_to_24h, text)
    for parser in (_relative, _chinese, _numeric, _short, _epoch, _rfc822, _iso):
        try:
            value = parser(text, tz, now)
        except (ValueError, OverflowError):
            value = None
        if value is not None:
            return value.astimezone(UTC)
    return None


def _to_24h(match: re.Match[str]) -> str:
    hour = int(match.group(2))
    if match.group(1) in _AFTERNOON and hour < 12:
        hour += 12
    return f" {hour:02d}"


def _local(naive: datetime, tz: tzinfo) -> datetime:
    return naive.replace(tzinfo=tz) if naive.tzinfo is None else naive


def _relative(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    if text in ("刚刚", "刚才"):
        return now
    match = _RELATIVE.match(text)
    if match:
        return now - timedelta(seconds=int(match.group(1)) * _RELATIVE_UNITS[match.group(2)])
    match = _DAY_WORD.match(text)
    if match:
        day = now.astimezone(tz).date() - timedelta(days=_DAY_OFFSETS[match.group(1)])
        return datetime(
            day.year,
            day.month,
            day.day,
            int(match.group(2)),
            int(match.group(3)),
            int(match.group(4) or 0),
            tzinfo=tz,
        )
    return None


def _chinese(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    match = _CHINESE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = match.groups()
    if year is None:
        return _without_year(
            int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tz, now
        )
    return datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=tz
    )


def _numeric(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    match = _NUMERIC.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(6, "0"))
    result = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
    )
    if offset is None:
        return result.replace(tzinfo=tz)
    if offset.upper() in ("Z", "UTC", "GMT"):
        return result.replace(tzinfo=UTC)
    return datetime.fromisoformat(f"{result.isoformat()}{offset[:3]}:{offset[-2:]}")


def _short(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    match = _SHORT.match(text)
    if not match:
        return None
    month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    return _without_year(month, day, hour, minute, second, tz, now)


def _without_year(
    month: int, day: int, hour: int, minute: int, second: int, tz: tzinfo, now: datetime
) -> datetime:
    # "06-10 08:00" means this year, unless that is clearly in the future (a December post read in
    # January): then it is last year's.
    year = now.astimezone(tz).year
    candidate = datetime(year, month, day, hour, minute, second, tzinfo=tz)
    if candidate > now + timedelta(days=1):
        candidate = candidate.replace(year=year - 1)
    return candidate


def _epoch(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    return from_epoch(float(text)) if _EPOCH.match(text) else None


def _rfc822(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    local = _LOCAL_ZONE_WORDS.sub(" ", text).strip()
    parsed = email.utils.parsedate_tz(local)
    if parsed is None:
        return None
    naive = datetime(*parsed[:6])
    if not _RFC822_ZONE.search(local):
        return naive.replace(tzinfo=tz)  # no zone, CST or an unknown name: the source's own time
    return naive.replace(tzinfo=UTC) - timedelta(seconds=parsed[9] or 0)


def _iso(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    return _local(datetime.fromisoformat(text), tz)
