"""Health, Prometheus metrics, the OpenAPI schema, sources health and the user list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel
from sqlalchemy import text

from monitor.web.metrics import render_metrics

router = APIRouter()


class Health(BaseModel):
    status: str
    database: str


@router.get("/healthz", response_model=Health, tags=["system"])
def healthz(request: Request) -> Any:
    try:
        with request.app.state.web.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not healthy"; the detail stays in the logs
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return {"status": "ok", "database": "ok"}


@router.get("/metrics", response_class=PlainTextResponse, tags=["system"])
def metrics(request: Request) -> Response:
    body, content_type = render_metrics(request.app.state.web.engine, request.app.state.web.now())
    return Response(body, media_type=content_type)


@router.get("/api/v1/openapi.json", include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


class SourceHealth(BaseModel):
    name: str
    kind: str
    url: str
    healthy: bool
    consecutive_errors: int
    last_error: str | None
    last_success_at: str | None
    last_checked_at: str | None
    next_check_at: str
    disabled: bool
    disabled_reason: str | None


def source_health(engine: Any) -> list[dict[str, Any]]:
    from monitor.storage.sources_repo import list_sources

    with engine.connect() as conn:
        rows = list_sources(conn)
    return [
        {
            "name": s.name,
            "kind": s.kind,
            "url": s.url,
            "healthy": s.disabled_at is None and s.consecutive_errors == 0,
            "consecutive_errors": s.consecutive_errors,
            "last_error": s.last_error,
            "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
            "last_checked_at": s.last_checked_at.isoformat() if s.last_checked_at else None,
            "next_check_at": s.next_check_at.isoformat(),
            "disabled": s.disabled_at is not None,
            "disabled_reason": s.disabled_reason,
        }
        for s in rows
    ]


@router.get("/api/v1/sources", response_model=list[SourceHealth], tags=["sources"])
def sources(request: Request) -> Any:
    return source_health(request.app.state.web.engine)


class UserOut(BaseModel):
    name: str
    role: str
    disabled: bool
    created_at: str


@router.get("/api/v1/users", response_model=list[UserOut], tags=["users"])
def users(request: Request) -> Any:
    from monitor.users import list_users

    return [
        {"name": u.name, "role": u.role, "disabled": u.disabled, "created_at": u.created_at.isoformat()}
        for u in list_users(request.app.state.web.engine)
    ]
