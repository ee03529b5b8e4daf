"""The compliance log over HTTP: query, verify, export (auditors and admins only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime, BaseModel

from monitor.web.audit_view import entries, export_zip, verification

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    seq: int
    ts: str
    actor: str
    kind: str
    subject: str
    data: dict[str, Any]
    prev_hash: str
    entry_hash: str


class VerifyOut(BaseModel):
    ok: bool
    summary: str
    entries: int
    first_seq: int | None
    last_seq: int | None
    checkpoints_verified: int
    problem: str | None
    warnings: list[str]


@router.get("", response_model=list[AuditEntryOut])
def query(
    request: Request,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> Any:
    engine = request.app.state.web.engine
    return entries(engine, since=since, until=until, actor=actor, kind=kind, limit=limit)


@router.get("/verify", response_model=VerifyOut)
def verify(request: Request) -> Any:
    state = request.app.state.web
    section = state.config.audit
    return verification(
        state.engine,
        anchor_file=section.anchor_file,
        now=state.now(),
        interval_minutes=section.checkpoint_interval_minutes,
    )


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "export + manifest"}},
)
def export(
    request: Request,
    format: Literal["jsonl", "csv"] = "jsonl",
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> Response:
    state = request.app.state.web
    body = export_zip(
        state.engine,
        fmt=format,
        since=since,
        until=until,
        actor=request.state.principal.name,
        now=state.now(),
    )
    return Response(
        body,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="brandguard-audit-{format}.zip"'},
    )
