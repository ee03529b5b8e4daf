"""Jinja2 set-up for the server-rendered pages: filters for local time, and the per-request context
(who is logged in, their CSRF token, which menu entries their role may see)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from monitor.web.csrf import csrf_token
from monitor.web.permissions import allowed

NAV = (
    ("/incidents", "事件看板"),
    ("/mentions", "舆情"),
    ("/sources", "数据源"),
    ("/check", "文案检查"),
    ("/audit", "审计日志"),
    ("/reports", "报表"),
    ("/reports/brief", "简报"),
    ("/users", "用户"),
)


def make_templates(directory: Path, timezone: str) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(directory))
    zone = ZoneInfo(timezone)

    def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return "" if value is None else value.astimezone(zone).strftime(fmt)

    def iso(value: datetime | None) -> str:
        return "" if value is None else value.isoformat()

    def web_url(value: str | None) -> str | None:
        # Links come from crawled feeds: a "javascript:" or "data:" href would run in our origin.
        if value and value.strip().lower().startswith(("http://", "https://")):
            return value.strip()
        return None

    templates.env.filters["local"] = local
    templates.env.filters["web_url"] = web_url
    templates.env.filters["iso"] = iso
    templates.env.globals["timezone"] = timezone
    return templates


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    role = principal.role if principal else None
    state = request.app.state.web
    full = {
        "principal": principal,
        "csrf_token": csrf_token(request),
        "nav": [(href, label) for href, label in NAV if principal and allowed("GET", href, role)],
        "can": lambda method, path: allowed(method, path, role),
        "now": state.now(),
        "csp_nonce": getattr(request.state, "csp_nonce", ""),  # monitor.web.csp
        **context,
    }
    return state.templates.TemplateResponse(request, name, full, status_code=status_code)
