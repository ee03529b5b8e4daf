"""``[[reports]]``: scheduled briefings (日报 / 周报 / 月报) pushed to the team's channels.

Each entry says which period, at what local time (the display zone, ``daemon.timezone``), for which
brands and to which channels. A daily brief covers yesterday, a weekly one the previous Monday-Sunday
(sent on Mondays), a monthly one the previous calendar month (sent on the 1st).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, field_validator

from monitor.config.fields import ConfigKeyError, StrictModel

Period = Literal["day", "week", "month"]
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class BriefingSchedule(StrictModel):
    period: Period
    time: str = "09:00"  # local time in daemon.timezone
    brands: tuple[str, ...] = Field(min_length=1)
    channels: tuple[str, ...] = Field(min_length=1)
    # The console's address as the team reaches it, for the "full report" link in bot messages.
    console_url: str = ""

    @field_validator("time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"must be HH:MM, e.g. '09:00' (got {value!r})")
        return value

    @field_validator("console_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def hour_minute(self) -> tuple[int, int]:
        hour, minute = self.time.split(":")
        return int(hour), int(minute)


def check_briefing_references(
    reports: Sequence[BriefingSchedule], brands: Sequence[str], channels: Sequence[str]
) -> None:
    """Raise ConfigKeyError naming the entry when it refers to an unknown brand or channel."""
    for i, entry in enumerate(reports):
        for j, name in enumerate(entry.brands):
            if name not in brands:
                raise ConfigKeyError(
                    f"reports[{i}].brands[{j}]", f"brand {name!r} is not defined in [[brands]]"
                )
        for j, name in enumerate(entry.channels):
            if name not in channels:
                raise ConfigKeyError(
                    f"reports[{i}].channels[{j}]", f"channel {name!r} is not defined in [[channels]]"
                )
