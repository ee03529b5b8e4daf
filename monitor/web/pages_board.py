"""The live side of the incidents console: board rows for short polling, the signed deep links from bot
cards (``/go/{token}``), the team actions (owner, note, merge, split) and the board's static script.

Short polling rather than server-sent events: a 2-second poll of a small HTML fragment works through
every proxy and with several web workers, needs no open connection per phone, and keeps the rows
rendered by the same template as the first page load (actions and CSRF tokens included).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from alerts.deep_link import LinkError, read_token
from monitor.incidents import ops
from monitor.incidents.calendar_status import calendar_warning
from monitor.storage.link_key_repo import link_key
from monitor.web.pages_incidents import open_incidents
from monitor.web.templating import render

router = APIRouter()

IncidentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Op = Literal["assign", "note", "merge", "split"]


def board_context(request: Request) -> dict[str, object]:
    state = request.app.state.web
    return {
        "incidents": open_incidents(state.engine),
        "calendar_warning": calendar_warning(state.config, state.now()),
    }


@router.get("/board/rows")
def board_rows(request: Request) -> Response:
    return render(request, "_board_rows.html", board_context(request))


@router.get("/go/{token}")
def go(token: Annotated[str, Path(max_length=200)], request: Request) -> Response:
    """A card's 处理 button: check the signed token, then open the incident (login came first if needed)."""
    state = request.app.state.web
    now = state.now()
    with state.engine.begin() as conn:
        key = link_key(conn, now)
    try:
        incident_id = read_token(key, token, now=now)
    except LinkError as exc:
        return render(request, "error.html", {"status": 400, "detail": str(exc)}, status_code=400)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incident-ops/{incident_id}/{op}")
def team_action(
    incident_id: IncidentId,
    op: Op,
    request: Request,
    owner: Annotated[str | None, Form(max_length=200)] = None,
    text: Annotated[str | None, Form(max_length=ops.MAX_NOTE)] = None,
    into: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    mentions: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    state = request.app.state.web
    actor, now = request.state.principal.name, state.now()
    target = incident_id
    if op == "assign":
        ops.assign(state.engine, incident_id, owner, actor=actor, now=now)
    elif op == "note":
        ops.add_note(state.engine, incident_id, text or "", actor=actor, now=now)
    elif op == "merge":
        if into is None:
            raise HTTPException(status_code=422, detail="merge: name the incident to merge into")
        ops.merge(state.engine, state.config, incident_id, into=into, actor=actor, now=now)
        target = into
    else:
        ids = _ids(mentions or "")
        target = int(ops.split(state.engine, state.config, incident_id, ids, actor=actor, now=now)["id"])
    return RedirectResponse(f"/incidents/{target}", status_code=303)


def _ids(value: str) -> list[int]:
    try:
        return [int(p.strip().lstrip("#")) for p in value.replace("，", ",").split(",") if p.strip()]
    except ValueError:
        raise HTTPException(status_code=422, detail="mentions: comma-separated mention ids") from None
