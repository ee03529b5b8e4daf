"""Login, logout and the start page."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from monitor.web import sessions
from monitor.web.accounts import authenticate_password
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
    state = request.app.state.web
    engine, now = state.engine, state.now()
    name = username.strip()
    address = request.client.host if request.client else "unknown"
    # Throttled attempts are refused before the password is looked at: they cost no Argon2 time and
    # cannot be used to keep guessing.
    blocked = sessions.throttled(engine, username=name, address=address, now=now)
    if blocked is not None:
        return _throttled(request, next, blocked, now)
    principal = await run_in_threadpool(authenticate_password, engine, name, password)
    if principal is None:
        sessions.record_failure(engine, username=name, address=address, now=now)
        return render(
            request, "login.html", {"next": _safe_next(next), "error": "用户名或密码错误"}, status_code=401
        )
    session_id = sessions.start(
        engine, user_id=principal.user_id, username=principal.name, address=address, now=now
    )
    # New session contents on login (session fixation): only the session id and a fresh CSRF token.
    request.session.clear()
    request.session[sessions.SESSION_ID] = session_id
    request.state.principal = principal
    return RedirectResponse(_safe_next(next), status_code=303)


def _throttled(request: Request, next: str | None, blocked: sessions.Throttled, now: datetime) -> Response:
    state = request.app.state.web
    local = blocked.until.astimezone(ZoneInfo(state.config.daemon.timezone)).strftime("%H:%M")
    minutes = max(1, math.ceil((blocked.until - now).total_seconds() / 60))
    who = "该账户" if blocked.reason == "account" else "该网络地址"
    error = f"登录失败次数过多，{who}已暂停登录，请在 {local} 后（约 {minutes} 分钟）再试，或联系管理员"
    response = render(request, "login.html", {"next": _safe_next(next), "error": error}, status_code=429)
    response.headers["Retry-After"] = str(max(1, math.ceil((blocked.until - now).total_seconds())))
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    session_id = request.session.get(sessions.SESSION_ID)
    principal = getattr(request.state, "principal", None)
    if isinstance(session_id, str):
        state = request.app.state.web
        name = principal.name if principal is not None else "-"
        sessions.end(state.engine, session_id, username=name, now=state.now())
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
