"""Incident team actions over HTTP: owner, notes, merge, split, and who is on call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from monitor.incidents import ops
from monitor.incidents.card_settings import on_call_now
from monitor.web.api_incidents import IncidentOut

router = APIRouter(prefix="/api/v1", tags=["incidents"])

IncidentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such incident"},
    409: {"description": "not allowed from the incident's current state"},
}


class AssignIn(BaseModel):
    owner: str | None = Field(default=None, max_length=200)  # null or "" clears


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=ops.MAX_NOTE)


class NoteOut(BaseModel):
    id: int
    incident_id: int


class MergeIn(BaseModel):
    into: int = Field(ge=1, le=2**31 - 1)


class SplitIn(BaseModel):
    mentions: list[Annotated[int, Field(ge=1)]] = Field(min_length=1, max_length=10_000)


class PersonOut(BaseModel):
    name: str
    mobile: str | None
    user_ids: dict[str, str]


@router.post("/incidents/{incident_id}/assign", response_model=IncidentOut, responses=_RESPONSES)
def assign(incident_id: IncidentId, body: AssignIn, request: Request) -> Any:
    state = request.app.state.web
    return ops.assign(
        state.engine, incident_id, body.owner, actor=request.state.principal.name, now=state.now()
    )


@router.post("/incidents/{incident_id}/notes", response_model=NoteOut, responses=_RESPONSES)
def add_note(incident_id: IncidentId, body: NoteIn, request: Request) -> Any:
    state = request.app.state.web
    note_id = ops.add_note(
        state.engine, incident_id, body.text, actor=request.state.principal.name, now=state.now()
    )
    return {"id": note_id, "incident_id": incident_id}


@router.post("/incidents/{incident_id}/merge", response_model=IncidentOut, responses=_RESPONSES)
def merge(incident_id: IncidentId, body: MergeIn, request: Request) -> Any:
    state = request.app.state.web
    return ops.merge(
        state.engine,
        state.config,
        incident_id,
        into=body.into,
        actor=request.state.principal.name,
        now=state.now(),
    )


@router.post("/incidents/{incident_id}/split", response_model=IncidentOut, responses=_RESPONSES)
def split(incident_id: IncidentId, body: SplitIn, request: Request) -> Any:
    state = request.app.state.web
    return ops.split(
        state.engine,
        state.config,
        incident_id,
        body.mentions,
        actor=request.state.principal.name,
        now=state.now(),
    )


@router.get("/oncall", response_model=list[PersonOut])
def oncall(request: Request) -> Any:
    state = request.app.state.web
    return [p.as_dict() for p in on_call_now(state.config, state.now())]
