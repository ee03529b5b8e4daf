"""Admin page: users, add one, disable one. Tokens are made on the CLI or through the API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from monitor.web.accounts import UserError, add_user, disable_user, list_users
from monitor.web.templating import render

router = APIRouter()


def _page(request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
    users = list_users(request.app.state.web.engine)
    return render(request, "users.html", {"users": users, "error": error}, status_code=status_code)


@router.get("/users")
def users_page(request: Request) -> Response:
    return _page(request)


@router.post("/users")
def users_add(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[Literal["pr", "copywriter", "auditor", "admin"], Form()],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    state = request.app.state.web
    try:
        add_user(state.engine, name, role, password, actor=request.state.principal.name, now=state.now())
    except UserError as exc:
        return _page(request, error=str(exc), status_code=400)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}/disable")
def users_disable(name: Annotated[str, Path(min_length=1, max_length=200)], request: Request) -> Response:
    state = request.app.state.web
    disable_user(state.engine, name, actor=request.state.principal.name, now=state.now())
    state.principals.clear()  # the user's tokens stop working at once in this process
    return RedirectResponse("/users", status_code=303)
