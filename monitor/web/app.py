"""The web console and HTTP API: ``create_app(ctx) -> FastAPI``.

``brandguard serve`` and the daemon (``brandguard run`` / ``demo``) both call ``create_app`` with their
``Context``, so the console uses the same database, config and cores as the CLI.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alerts.errors import AlertsError, IncidentNotFound, TransitionError
from monitor.errors import BrandGuardError, StorageError
from monitor.web.auth import LoginRequired, authorize, is_api, session_secret
from monitor.web.principal_cache import PrincipalCache
from rules.errors import RulesError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from monitor.audit.group_commit import AsyncGroupCommit
    from monitor.config import Config
    from monitor.context import Context
    from monitor.crawl.pipeline import Score

SESSION_COOKIE = "bg_session"
SESSION_MAX_AGE_S = 12 * 3600  # one working day; a stolen cookie does not live for weeks
TEMPLATES_DIR = Path(__file__).parent / "templates"

Scorer = Callable[[Sequence[str]], Sequence["Score"]]


@dataclass
class WebState:
    """What handlers need; kept on ``app.state.web``."""

    engine: Engine
    config: Config
    clock: Callable[[], datetime]
    scorer_factory: Callable[[], Scorer]
    templates: Jinja2Templates
    _scorer: Scorer | None = field(default=None, repr=False)
    # Long drafts are checked in the thread pool one at a time: several CPU-bound checks in threads only
    # fight over the GIL and make the order unfair (measured p99 3.5 s -> 0.45 s at 50 clients).
    check_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    principals: PrincipalCache = field(default_factory=PrincipalCache)
    in_flight: int = 0  # HTTP requests being served by this process (InFlightCounter)
    _audit_log: AsyncGroupCommit | None = field(default=None, repr=False)

    def now(self) -> datetime:
        return self.clock()

    @property
    def audit_log(self) -> AsyncGroupCommit:
        """Shared by every request of this process, so concurrent checks commit their entries together."""
        if self._audit_log is None:
            from monitor.audit.group_commit import AsyncGroupCommit

            self._audit_log = AsyncGroupCommit(self.engine)
        return self._audit_log

    def close(self) -> None:
        if self._audit_log is not None:
            self._audit_log.close()

    def scorer(self) -> Scorer:
        # The sentiment model costs seconds to load: only the first pushed mention pays for it.
        if self._scorer is None:
            self._scorer = self.scorer_factory()
        return self._scorer


def _default_scorer() -> Scorer:
    from monitor.crawl.steps import make_scorer

    return make_scorer()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    ctx: Context,
    *,
    secure_cookies: bool = True,
    clock: Callable[[], datetime] | None = None,
    scorer_factory: Callable[[], Scorer] | None = None,
) -> FastAPI:
    """The console + API. ``secure_cookies=False`` only for plain-http loopback (``--insecure-cookies``)."""
    from monitor import __version__
    from monitor.web import (
        api_audit,
        api_briefs,
        api_check,
        api_incident_ops,
        api_incidents,
        api_mentions,
        api_system,
        pages_audit,
        pages_auth,
        pages_board,
        pages_briefs,
        pages_check,
        pages_incidents,
        pages_mentions,
        pages_reports,
        pages_users,
        static_files,
    )
    from monitor.web.templating import make_templates

    app = FastAPI(
        title="BrandGuard API",
        version=__version__,
        description="Brand monitoring, incident response and ad-law pre-checks. Authenticate with "
        "`Authorization: Bearer bg_...` (see `brandguard users token`).",
        openapi_url=None,  # served by api_system behind the permission table
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(authorize)],
        lifespan=_lifespan,
    )
    app.state.web = WebState(
        engine=ctx.engine,
        config=ctx.config,
        clock=clock or _utc_now,
        scorer_factory=scorer_factory or _default_scorer,
        templates=make_templates(TEMPLATES_DIR, ctx.config.daemon.timezone),
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(ctx.data_dir),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=secure_cookies,
    )
    routers = []
    for module in (
        api_system,
        api_check,
        api_mentions,
        api_incidents,
        api_incident_ops,
        api_audit,
        api_briefs,
    ):
        app.include_router(module.router)
        routers.append(module.router)
    for module in (
        pages_auth,
        pages_incidents,
        pages_board,
        pages_mentions,
        pages_check,
        pages_audit,
        pages_briefs,
        pages_reports,
        pages_users,
        static_files,
    ):
        app.include_router(module.router, include_in_schema=False)
        routers.append(module.router)
    app.state.routers = routers
    _install_error_handlers(app)

    app.add_middleware(SecurityHeaders)
    app.add_middleware(InFlightCounter, state=app.state.web)
    from monitor.web.body_limit import BodySizeLimit
    from monitor.web.csp import ContentSecurityPolicy

    app.add_middleware(ContentSecurityPolicy)
    app.add_middleware(BodySizeLimit)  # added last = outermost: before sessions and authentication
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    from rules.checker import default_engine
    from rules.normalize import enable_fast_fold

    enable_fast_fold()
    default_engine()  # compile the rule packs now, not in the first copywriter's request
    # What is alive once the app is built (modules, rule packs, templates, routes) lives until exit;
    # frozen, the cyclic GC stops re-scanning it in every full collection. Measured at 50 concurrent
    # /check clients: worst request 92-124 ms -> 53-58 ms (BENCHMARKS.md).
    gc.freeze()
    yield
    app.state.web.close()  # queued audit entries are written before the server exits


class InFlightCounter:
    """Counts the HTTP requests this process is serving: a check's audit entry waits a moment for the
    entries of concurrent requests only when there are any (``AsyncGroupCommit``)."""

    def __init__(self, app: ASGIApp, state: WebState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.state.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.state.in_flight -= 1


class SecurityHeaders:
    """Clickjacking on the acknowledge buttons, MIME sniffing of exports, and leaking incident URLs to
    the external sites the console links to. Plain ASGI: ``BaseHTTPMiddleware`` cost ~1 ms a request."""

    HEADERS = (
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def route_keys(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every endpoint the app serves; the role-matrix test compares it with the table."""
    keys: set[tuple[str, str]] = set()
    for router in [app.router, *app.state.routers]:
        for route in router.routes:
            if isinstance(route, APIRoute):
                keys.update((method, route.path) for method in route.methods or ())
    return keys


def _status_for(exc: Exception) -> int:
    if isinstance(exc, IncidentNotFound):
        return 404
    if isinstance(exc, TransitionError):
        return 409
    if isinstance(exc, StorageError):
        return 503  # the database, not the request, is at fault; clients may retry
    return 400


def _install_error_handlers(app: FastAPI) -> None:
    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)

    async def known_error(request: Request, exc: Exception) -> Response:
        return _error_response(request, _status_for(exc), str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _error_response(request, exc.status_code, str(exc.detail), headers=exc.headers)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        # FastAPI's own handler echoes each rejected value back ("input"): a refused password would be
        # repeated in the answer, and a string with half a UTF-16 pair ("\ud800") cannot be encoded
        # at all, which turned a 422 into a 500. Say where and why, not what.
        errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(RequestValidationError, invalid_request)
    for error_type in (AlertsError, BrandGuardError, RulesError):
        app.add_exception_handler(error_type, known_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


def _error_response(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    if is_api(request.url.path) or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    from monitor.web.templating import render

    response = render(request, "error.html", {"status": status, "detail": detail}, status_code=status)
    if headers:
        response.headers.update(headers)
    return response
