"""Health, Prometheus metrics, the OpenAPI schema, sources health and the user list."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from monitor.storage.probe import ping
from monitor.web.metrics import render_metrics

router = APIRouter()
Role = Literal["pr", "copywriter", "auditor", "admin"]


class Health(BaseModel):
    status: str
    database: str


@router.get("/healthz", response_model=Health, tags=["system"])
def healthz(request: Request) -> Any:
    try:
        ping(request.app.state.web.engine)
    except Exception as exc:  # any failure means "not healthy"; the detail stays in the logs
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return {"status": "ok", "database": "ok"}


@router.get("/metrics", response_class=PlainTextResponse, tags=["system"])
def metrics(request: Request) -> Response:
    web = request.app.state.web
    body, content_type = render_metrics(web.engine, web.now(), web.config)
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
    state: str = "ok"  # ok | new | failing | throttled | blocked | needs_config | disabled
    state_label: str = "ok"  # "blocked (login required)"
    coverage_24h: float = 1.0


def source_health(engine: Any) -> list[dict[str, Any]]:
    from datetime import UTC, datetime

    from monitor.platforms.status import source_statuses
    from monitor.storage.sources_repo import list_sources

    with engine.connect() as conn:
        rows = list_sources(conn)
        status = source_statuses(conn, rows, datetime.now(UTC))
    return [
        {
            "name": s.name,
            "kind": s.kind,
            "url": s.url,
            "healthy": status[s.id].state in ("ok", "new"),
            "consecutive_errors": s.consecutive_errors,
            "last_error": s.last_error,
            "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
            "last_checked_at": s.last_checked_at.isoformat() if s.last_checked_at else None,
            "next_check_at": s.next_check_at.isoformat(),
            "disabled": s.disabled_at is not None,
            "disabled_reason": s.disabled_reason,
            "state": status[s.id].state,
            "state_label": status[s.id].label,
            "coverage_24h": round(status[s.id].coverage_24h, 4),
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


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=1, max_length=1000)


class TokenIn(BaseModel):
    role: Role | None = None
    label: str | None = Field(default=None, max_length=200)


class TokenOut(BaseModel):
    token: str = Field(description="shown once; only its SHA-256 is stored")


def _user_out(user: Any) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role,
        "disabled": user.disabled,
        "created_at": user.created_at.isoformat(),
    }


UserName = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/api/v1/users", response_model=list[UserOut], tags=["users"])
def list_all(request: Request) -> Any:
    from monitor.web.accounts import list_users

    return [_user_out(u) for u in list_users(request.app.state.web.engine)]


@router.post("/api/v1/users", response_model=UserOut, status_code=201, tags=["users"])
def add(body: UserIn, request: Request) -> Any:
    from monitor.web.accounts import add_user

    state = request.app.state.web
    user = add_user(
        state.engine, body.name, body.role, body.password, actor=request.state.principal.name, now=state.now()
    )
    return _user_out(user)


@router.post("/api/v1/users/{name}/disable", response_model=UserOut, tags=["users"])
def disable(name: UserName, request: Request) -> Any:
    from monitor.web.accounts import disable_user

    state = request.app.state.web
    user = disable_user(state.engine, name, actor=request.state.principal.name, now=state.now())
    state.principals.clear()  # the user's tokens stop working at once in this process
    return _user_out(user)


@router.post("/api/v1/users/{name}/tokens", response_model=TokenOut, status_code=201, tags=["users"])
def token(name: UserName, body: TokenIn, request: Request) -> Any:
    from monitor.web.accounts import create_token

    state = request.app.state.web
    value = create_token(
        state.engine,
        name,
        role=body.role,
        label=body.label,
        actor=request.state.principal.name,
        now=state.now(),
    )
    return {"token": value}
