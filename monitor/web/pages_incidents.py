"""Incidents board (open incidents by severity, live countdown) and incident detail with actions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from monitor import incidents as incident_actions
from monitor.incidents.calendar_status import calendar_warning
from monitor.web.templating import render

router = APIRouter()

Action = Literal["acknowledge", "respond", "resolve", "dismiss"]
IncidentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
BOARD_LIMIT = 200


def open_incidents(engine: Engine) -> list[dict[str, Any]]:
    """Open incidents, most severe first, then the nearest deadline (what needs an answer next)."""
    with engine.connect() as conn:
        return incident_actions.open_board(conn, limit=BOARD_LIMIT)


@router.get("/incidents")
def board(request: Request) -> Response:
    state = request.app.state.web
    rows = open_incidents(state.engine)
    warning = calendar_warning(state.config, state.now())
    return render(request, "incidents.html", {"incidents": rows, "calendar_warning": warning})


@router.get("/incidents/{incident_id}")
def detail(incident_id: IncidentId, request: Request) -> Response:
    with request.app.state.web.engine.connect() as conn:
        incident = incident_actions.get_incident(conn, incident_id)
    return render(request, "incident.html", {"incident": incident})


@router.post("/incidents/{incident_id}/{action}")
def act(
    incident_id: IncidentId,
    action: Action,
    request: Request,
    text: Annotated[str | None, Form(max_length=20_000)] = None,
    url: Annotated[str | None, Form(max_length=4000)] = None,
    reason: Annotated[str | None, Form(max_length=2000)] = None,
    back: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    state = request.app.state.web
    actor, now = request.state.principal.name, state.now()
    if action == "acknowledge":
        incident_actions.acknowledge(state.engine, incident_id, actor=actor, now=now)
    elif action == "respond":
        incident_actions.respond(state.engine, incident_id, actor=actor, now=now, text=text, url=url)
    elif action == "resolve":
        incident_actions.resolve(state.engine, incident_id, actor=actor, now=now)
    else:
        incident_actions.dismiss(state.engine, incident_id, actor=actor, now=now, reason=reason or "")
    target = "/incidents" if back == "board" else f"/incidents/{incident_id}"
    return RedirectResponse(target, status_code=303)
