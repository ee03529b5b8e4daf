"""Audit page: entries with filters, chain verification status, export download."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from monitor.web.audit_view import entries, export_zip, verification
from monitor.web.templating import render

router = APIRouter()
WINDOWS = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "365d": timedelta(days=365),
}


@router.get("/audit")
async def audit_page(
    request: Request,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    window: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    state = request.app.state.web
    since = state.now() - WINDOWS[window] if window in WINDOWS else None
    rows = await run_in_threadpool(
        lambda: entries(state.engine, since=since, until=None, actor=actor, kind=kind, limit=500)
    )
    status = await run_in_threadpool(verification, state.engine)
    return render(
        request,
        "audit.html",
        {
            "entries": list(reversed(rows)),
            "status": status,
            "windows": list(WINDOWS),
            "filters": {"actor": actor, "kind": kind, "window": window},
        },
    )


@router.get("/audit/export")
def audit_export(request: Request, format: Literal["jsonl", "csv"] = "jsonl") -> Response:
    state = request.app.state.web
    body = export_zip(
        state.engine, fmt=format, since=None, until=None, actor=request.state.principal.name, now=state.now()
    )
    return Response(
        body,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="brandguard-audit-{format}.zip"'},
    )
