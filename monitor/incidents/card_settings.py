"""What cards need besides the incident: the signed-link key and console address, and who is on call
now (``[[alerts.oncall]]`` read through ``alerts.oncall`` with the configured PRC holiday table)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from alerts.oncall import Person, Shift, on_call, parse_hours
from alerts.outgoing import RenderSettings
from monitor.config.holidays import holiday_table
from monitor.storage.link_key_repo import link_key

if TYPE_CHECKING:
    from monitor.config import Config


def rota(config: Config) -> tuple[Shift, ...]:
    shifts = []
    for entry in config.alerts.oncall:
        start, end = parse_hours(entry.hours)
        person = Person(entry.name, entry.mobile, {str(k): v for k, v in entry.user_ids.items()})
        shifts.append(Shift(person, days=entry.days, start=start, end=end, tz=entry.tz))
    return tuple(shifts)


def on_call_now(config: Config, now: datetime) -> list[Person]:
    return on_call(rota(config), now, holiday_table(config.alerts.holiday_years))


def with_cards(conn: Connection, config: Config, settings: RenderSettings, now: datetime) -> RenderSettings:
    section = config.alerts
    key = link_key(conn, now) if section.console_url else None
    return replace(
        settings,
        console_url=section.console_url,
        link_key=key,
        link_ttl=timedelta(hours=section.link_ttl_hours),
        on_call=tuple(on_call_now(config, now)),
    )
