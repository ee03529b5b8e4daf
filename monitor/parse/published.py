"""Choosing each item's publication time, and counting what had to be estimated or clamped."""

from __future__ import annotations

from datetime import datetime, tzinfo

from monitor.parse.dates import from_epoch, parse_date


class PublishedResolver:
    """One per document: resolves item dates and summarises problems as a few warnings, not one per item."""

    def __init__(self, tz: tzinfo, now: datetime) -> None:
        self._tz = tz
        self._now = now
        self.missing = 0
        self.unparsed: list[str] = []
        self.future = 0

    def resolve(self, raw: object, fallback: datetime | None = None) -> tuple[datetime, bool]:
        """(UTC time, estimated?). Future dates are clamped to ``now``; no usable date gives ``now``."""
        value: datetime | None = None
        if isinstance(raw, bool):
            raw = None
        if isinstance(raw, int | float):
            value = from_epoch(float(raw))
        elif isinstance(raw, str) and raw.strip():
            value = parse_date(raw, tz=self._tz, now=self._now)
        if value is None and fallback is not None:
            value = fallback
        if value is None:
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                self.missing += 1
            else:
                self.unparsed.append(str(raw)[:40])
            return self._now, True
        if value > self._now:
            self.future += 1
            return self._now, False
        return value, False

    def warnings(self) -> list[str]:
        notes: list[str] = []
        if self.missing:
            notes.append(f"{self.missing} item(s) without a date: fetch time used")
        if self.unparsed:
            sample = ", ".join(repr(s) for s in self.unparsed[:3])
            notes.append(f"{len(self.unparsed)} item(s) with unreadable dates ({sample}): fetch time used")
        if self.future:
            notes.append(f"{self.future} item(s) dated in the future: clamped to fetch time")
        return notes
