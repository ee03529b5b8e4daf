"""The briefing page (ECharts, no inline script: data in a JSON block, code in /static/brief.js), its
downloads (md, html, json, xlsx) and the export of the mentions feed (CSV with BOM, XLSX)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from monitor.reports import render_brief
from monitor.reports.rendering import html_sections, title
from monitor.web.brief_params import Period, attachment, brief_for
from monitor.web.templating import render

router = APIRouter()
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BrandList = Annotated[list[str], Query(max_length=20)]


@router.get("/reports/brief")
def brief_page(
    request: Request,
    period: Period = "week",
    brand: BrandList = [],  # noqa: B006 - FastAPI copies it
    since: date | None = None,
    until: date | None = None,
) -> Response:
    brief = brief_for(request, period, brand, since, until)
    return render(
        request,
        "brief.html",
        {
            "brief": brief,
            "title": title(brief),
            "sections": Markup(html_sections(brief)),
            "brands": request.app.state.web.config.brands,
            "period": period,
            "selected": brief["brands"],
            "since": since,
            "query": request.url.query,
        },
    )


@router.get("/reports/brief/export")
def brief_export(
    request: Request,
    format: Literal["md", "html", "json", "xlsx"] = "xlsx",
    period: Period = "week",
    brand: BrandList = [],  # noqa: B006
    since: date | None = None,
    until: date | None = None,
) -> Response:
    brief = brief_for(request, period, brand, since, until)
    name = f"brandguard-brief-{period}-{brief['days'][0]}.{format}"
    return Response(render_brief(brief, format), media_type=MEDIA[format], headers=attachment(name))


@router.get("/mentions/export")
def mentions_export(
    request: Request,
    format: Literal["csv", "xlsx"] = "csv",
    brand: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    label: Annotated[str | None, Query(max_length=16)] = None,
    window: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    from monitor.reports import export_mentions
    from monitor.reports.mention_export import MAX_ROWS
    from monitor.storage.brief_repo import source_names
    from monitor.storage.mentions_repo import list_mentions
    from monitor.storage.transactions import read_transaction
    from monitor.web.pages_mentions import WINDOWS

    state = request.app.state.web
    since = state.now() - WINDOWS[window] if window in WINDOWS else None
    with read_transaction(state.engine) as conn:
        names = source_names(conn)
        source_id = next((i for i, n in names.items() if n == source), -1) if source else None
        rows = list_mentions(
            conn, brand=brand or None, since=since, label=label or None, source_id=source_id, limit=MAX_ROWS
        )
    body = export_mentions(rows, names, ZoneInfo(state.config.daemon.timezone), format)
    return Response(body, media_type=MEDIA[format], headers=attachment(f"brandguard-mentions.{format}"))
