"""Login, logout and the start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from monitor.web.accounts import authenticate_password
from monitor.web.auth import SESSION_USER
from monitor.web.csrf import SESSION_KEY
from monitor.web.templating import render

router = APIRouter()


def _safe_next(value: str | None) -> str:
    # Only same-site paths: "//evil.example" and "https://..." would turn the login into an open redirect.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/incidents"


@router.get("/")
def home() -> Response:
    return RedirectResponse("/incidents", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    principal = await run_in_threadpool(
        authenticate_password, request.app.state.web.engine, username, password
    )
    if principal is None:
        return render(request, "login.html", {"next": _safe_next(next), "error": "用户名或密码错误"},
                      status_code=401)
    # New session contents on login (session fixation): only the user id and a fresh CSRF token.
    request.session.clear()
    request.session[SESSION_USER] = principal.user_id
    request.state.principal = principal
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.pop(SESSION_USER, None)
    request.session.pop(SESSION_KEY, None)
    return RedirectResponse("/login", status_code=303)
