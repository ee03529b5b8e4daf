"""Is the PRC calendar complete for the current and next year? Said loudly in four places: the daemon's
log, ``brandguard config check``, ``/metrics`` and a banner in the console.

Without data for a year, business-hour deadlines silently fall back to Monday-Friday (a 国庆 week would
count as working time), so a missing year is worth a warning well before 1 January.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from alerts.holidays import missing_years, missing_years_warning
from monitor.config.holidays import holiday_table

if TYPE_CHECKING:
    from monitor.config import Config

log = logging.getLogger("brandguard.calendar")


def calendar_missing_years(config: Config, now: datetime) -> list[int]:
    today = now.astimezone(ZoneInfo(config.alerts.business_hours.tz)).date()
    return missing_years(today, holiday_table(config.alerts.holiday_years))


def calendar_warning(config: Config, now: datetime) -> str | None:
    years = calendar_missing_years(config, now)
    return missing_years_warning(years) if years else None


_logged_on: set[str] = set()


def log_calendar_warning(config: Config, now: datetime) -> str | None:
    """Log the warning once a day per process (the deadline tick calls this every 30 s) and return it."""
    warning = calendar_warning(config, now)
    day = now.date().isoformat()
    if warning and day not in _logged_on:
        _logged_on.add(day)
        log.warning("%s", warning)
    return warning
