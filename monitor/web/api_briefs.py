"""``GET /api/v1/reports/brief``: the briefing as JSON (the same object as ``report brief --format json``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from monitor.web.brief_params import Period, brief_for

router = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/reports/brief")
def brief_json(
    request: Request,
    period: Period = "week",
    brand: Annotated[list[str], Query(max_length=20, description="repeatable; default: own brands")] = [],  # noqa: B006
    since: date | None = None,
    until: date | None = None,
    keywords: bool = True,
) -> dict[str, Any]:
    """Volume, sentiment, share of voice, stories, platforms, sources, authors, rising keywords, incidents
    with SLA, coverage and the brand-health index, each with the previous period."""
    return brief_for(request, period, brand, since, until, keywords=keywords)
