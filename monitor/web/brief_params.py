"""Query parameters of a brief shared by the console page, its downloads and the API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fastapi import Request

from monitor.reports import BriefRequest, build_brief
from monitor.reports.rollup import catch_up
from monitor.storage.transactions import read_transaction

Period = Literal["day", "week", "month"]


def brief_for(
    request: Request,
    period: Period,
    brands: list[str],
    since: date | None,
    until: date | None,
    *,
    keywords: bool = True,
) -> dict[str, Any]:
    state = request.app.state.web
    wanted = BriefRequest(period, tuple(b for b in brands if b), since=since, until=until, keywords=keywords)
    catch_up(state.engine, state.now())  # a large backlog: summarise once rather than count it live
    # A reading transaction: on SQLite a plain one would take the write lock for the whole brief.
    with read_transaction(state.engine) as conn:
        return build_brief(
            conn, state.config, wanted, now=state.now(), zone=ZoneInfo(state.config.daemon.timezone)
        )


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
