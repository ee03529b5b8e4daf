"""Scheduled briefings (``[[reports]]``): when a brief is due, render it once and queue one outbox row
per channel. Bots get a short Markdown summary with a link to the full brief in the console; e-mail
channels get the HTML brief with its charts inline (SVG).

The tick is idempotent: the outbox key names the schedule, the period and the channel, so a second
daemon, a restart or the next minute's tick finds the row and queues nothing. A slot missed by more than
``GRACE`` (the daemon was down all morning) is skipped rather than sent late into the afternoon.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from monitor.reports.briefing import BriefRequest, build_brief
from monitor.reports.periods import brief_window
from monitor.reports.rendering import html, summary_markdown, title
from monitor.reports.rollup import catch_up
from monitor.storage import brief_repo
from monitor.storage.transactions import read_transaction

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from monitor.config import Config
    from monitor.config.briefings import BriefingSchedule

GRACE = timedelta(hours=6)
ACTOR = "brandguard"


def due_slot(entry: BriefingSchedule, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The latest send time at or before ``now`` (local, aware), or None when it is older than GRACE."""
    local = now.astimezone(zone)
    hour, minute = entry.hour_minute
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if entry.period == "week":
        slot -= timedelta(days=slot.weekday())
    elif entry.period == "month":
        slot = slot.replace(day=1)
    if slot > local:
        if entry.period == "day":
            slot -= timedelta(days=1)
        elif entry.period == "week":
            slot -= timedelta(days=7)
        else:
            slot = (slot - timedelta(days=1)).replace(day=1)
    # wall-clock arithmetic above; re-attach the zone so a DST change lands on the right instant
    slot = slot.replace(tzinfo=None).replace(tzinfo=zone)
    return slot if local - slot <= GRACE else None


def brief_link(entry: BriefingSchedule, first_day: str) -> str | None:
    if not entry.console_url:
        return None
    query = urlencode([("period", entry.period), *(("brand", b) for b in entry.brands), ("since", first_day)])
    return f"{entry.console_url}/reports/brief?{query}"


def enqueue_due_briefs(engine: Engine, config: Config, now: datetime) -> int:
    """Queue every due brief that is not queued yet; returns the number of outbox rows created."""
    from monitor.audit import append

    zone = ZoneInfo(config.daemon.timezone)
    kinds = {c.name: c.kind for c in config.channels}
    created = 0
    for index, entry in enumerate(config.reports):
        slot = due_slot(entry, now, zone)
        if slot is None:
            continue
        window = brief_window(entry.period, now=slot, zone=zone)
        first_day = window.days[0].isoformat()
        scope = hashlib.sha256("|".join(entry.brands).encode()).hexdigest()[:12]
        keys = {ch: f"brief:{entry.period}:{scope}:{first_day}:{ch}" for ch in entry.channels}
        catch_up(engine, now)
        with read_transaction(engine) as conn:
            waiting = set(keys.values()) - brief_repo.existing_keys(conn, list(keys.values()))
            if not waiting:
                continue
            brief = build_brief(
                conn,
                config,
                BriefRequest(entry.period, tuple(entry.brands), since=window.days[0]),
                now=now,
                zone=zone,
            )
        link = brief_link(entry, first_day)
        summary = summary_markdown(brief, link)
        payloads: dict[str, dict[str, Any]] = {}
        for channel, key in keys.items():
            if key not in waiting:
                continue
            if kinds.get(channel) == "email":
                payloads[channel] = {"title": title(brief), "text": summary, "html": html(brief, link=link)}
            else:
                payloads[channel] = {
                    "title": title(brief),
                    "text": summary,
                    "markdown": summary,
                    "link": link,
                }
        with engine.begin() as conn:
            for channel, payload in payloads.items():
                if brief_repo.enqueue_message(
                    conn,
                    idempotency_key=keys[channel],
                    channel=channel,
                    kind="brief",
                    payload=payload,
                    now=now,
                ):
                    created += 1
                    append(
                        conn,
                        actor=ACTOR,
                        kind="report.brief.queued",
                        subject=f"reports[{index}]",
                        data={
                            "channel": channel,
                            "period": entry.period,
                            "brands": list(entry.brands),
                            "first_day": first_day,
                            "idempotency_key": keys[channel],
                        },
                        now=now,
                    )
    return created
