"""Incidents over HTTP: list, detail (mentions + timeline) and the four state transitions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from monitor import incidents as incident_actions

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

IncidentId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class IncidentOut(BaseModel):
    id: int
    brand: str
    severity: str
    state: str
    title: str
    mention_count: int
    negative_count: int
    reach: int
    max_p_negative: float
    crisis_terms: list[str]
    opened_at: datetime
    respond_by: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    responded_at: datetime | None = None
    responded_by: str | None = None
    response_url: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    dismissed_at: datetime | None = None
    dismissed_by: str | None = None
    dismiss_reason: str | None = None
    breached_at: datetime | None = None
    owner: str | None = None
    merged_into: int | None = None
    reason: str | None = None


class TimelineItem(BaseModel):
    at: datetime
    type: str
    what: str
    detail: str


class MentionBrief(BaseModel):
    id: int
    title: str
    url: str | None
    author: str | None
    published_at: datetime
    p_negative: float | None
    label: str | None


class IncidentDetail(IncidentOut):
    mentions: list[MentionBrief]
    timeline: list[TimelineItem]


class RespondIn(BaseModel):
    text: str | None = Field(default=None, max_length=20_000)
    url: str | None = Field(default=None, max_length=4000)


class DismissIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.get("", response_model=list[IncidentOut])
def list_incidents(
    request: Request,
    open_only: bool = False,
    breached_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    with request.app.state.web.engine.connect() as conn:
        return incident_actions.list_incidents(
            conn, open_only=open_only, breached_only=breached_only, limit=limit
        )


@router.get(
    "/{incident_id}", response_model=IncidentDetail, responses={404: {"description": "no such incident"}}
)
def incident_detail(incident_id: IncidentId, request: Request) -> Any:
    with request.app.state.web.engine.connect() as conn:
        return incident_actions.get_incident(conn, incident_id)


_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such incident"},
    409: {"description": "not allowed from the incident's current state"},
}


@router.post("/{incident_id}/acknowledge", response_model=IncidentOut, responses=_RESPONSES)
def acknowledge(incident_id: IncidentId, request: Request) -> Any:
    state = request.app.state.web
    return incident_actions.acknowledge(
        state.engine, incident_id, actor=request.state.principal.name, now=state.now()
    )


@router.post("/{incident_id}/respond", response_model=IncidentOut, responses=_RESPONSES)
def respond(incident_id: IncidentId, body: RespondIn, request: Request) -> Any:
    state = request.app.state.web
    return incident_actions.respond(
        state.engine,
        incident_id,
        actor=request.state.principal.name,
        now=state.now(),
        text=body.text,
        url=body.url,
    )


@router.post("/{incident_id}/resolve", response_model=IncidentOut, responses=_RESPONSES)
def resolve(incident_id: IncidentId, request: Request) -> Any:
    state = request.app.state.web
    return incident_actions.resolve(
        state.engine, incident_id, actor=request.state.principal.name, now=state.now()
    )


@router.post("/{incident_id}/dismiss", response_model=IncidentOut, responses=_RESPONSES)
def dismiss(incident_id: IncidentId, body: DismissIn, request: Request) -> Any:
    state = request.app.state.web
    return incident_actions.dismiss(
        state.engine, incident_id, actor=request.state.principal.name, now=state.now(), reason=body.reason
    )
