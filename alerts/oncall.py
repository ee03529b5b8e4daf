"""Who is on call at a moment: a simple rota of shifts, each with its days (PRC working days, days off,
or all) and local hours. Pure: ``now`` and the holiday table are parameters.

A shift whose hours wrap midnight ("18:00-09:00") belongs to the day it starts on: Friday's night shift
on a working day still covers Saturday 03:00, which is what a PR team means by "Friday night".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from alerts.holidays import EMPTY, HolidayTable


@dataclass(frozen=True)
class Person:
    """Someone to @: by mobile (DingTalk, WeCom) or by the platform's user id (Feishu open_id ...)."""

    name: str
    mobile: str | None = None
    user_ids: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "mobile": self.mobile, "user_ids": dict(self.user_ids)}


@dataclass(frozen=True)
class Shift:
    person: Person
    days: str = "all"  # workdays | offdays | all
    start: time = time(0, 0)
    end: time | None = None  # None: until midnight (24:00)
    tz: str = "Asia/Shanghai"


def parse_hours(text: str) -> tuple[time, time | None]:
    """ "09:00-18:00" -> (09:00, 18:00); an end of 24:00 is None (end of the day)."""
    first, last = text.split("-")
    sh, sm = (int(x) for x in first.split(":"))
    eh, em = (int(x) for x in last.split(":"))
    return time(sh, sm), None if (eh, em) == (24, 0) else time(eh, em)


def _day_matches(shift: Shift, day: datetime, table: HolidayTable) -> bool:
    if shift.days == "all":
        return True
    working = table.is_workday(day.date())
    return working if shift.days == "workdays" else not working


def _covers(shift: Shift, now: datetime, table: HolidayTable) -> bool:
    local = now.astimezone(ZoneInfo(shift.tz))
    clock = local.time()
    end = shift.end
    if end is None or shift.start < end:
        inside = clock >= shift.start and (end is None or clock < end)
        return inside and _day_matches(shift, local, table)
    # Wraps midnight: the evening part belongs to today, the early-morning part to yesterday.
    if clock >= shift.start:
        return _day_matches(shift, local, table)
    if clock < end:
        return _day_matches(shift, local - timedelta(days=1), table)
    return False


def on_call(rota: Sequence[Shift], now: datetime, table: HolidayTable = EMPTY) -> list[Person]:
    """The people whose shift covers ``now``, in rota order, each once."""
    people: list[Person] = []
    for shift in rota:
        if _covers(shift, now, table) and shift.person not in people:
            people.append(shift.person)
    return people
