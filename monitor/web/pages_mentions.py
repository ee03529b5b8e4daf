"""Mentions feed with filters, and sources health."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from monitor.web.api_system import source_health
from monitor.web.mention_feed import FeedFilter, feed
from monitor.web.templating import render

router = APIRouter()

WINDOWS = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}


@router.get("/mentions")
def mentions_page(
    request: Request,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    label: Annotated[str | None, Query(max_length=16)] = None,
    window: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    state = request.app.state.web
    since = state.now() - WINDOWS[window] if window in WINDOWS else None
    rows = feed(
        state.engine,
        FeedFilter(brand=brand or None, source=source or None, label=label or None, since=since, limit=200),
    )
    sources = [s["name"] for s in source_health(state.engine)]
    return render(
        request,
        "mentions.html",
        {
            "mentions": rows,
            "brands": [b.name for b in state.config.brands],
            "sources": sources,
            "windows": list(WINDOWS),
            "filters": {"brand": brand, "source": source, "label": label, "window": window},
        },
    )


@router.get("/sources")
def sources_page(request: Request) -> Response:
    return render(request, "sources.html", {"sources": source_health(request.app.state.web.engine)})
