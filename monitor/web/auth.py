"""Authentication (session cookie or Bearer token) and the authorisation dependency for every route.

``authorize`` looks the matched route up in ``monitor.web.permissions.PERMISSIONS``; anything not listed
there is refused. Anonymous visitors of a page are redirected to the login page, of the API get 401.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import HTTPException, Request

from monitor.storage.files import ensure_private_dir
from monitor.web.accounts import Principal, hash_token, principal_for_session, principal_for_token
from monitor.web.csrf import SAFE_METHODS, csrf_ok
from monitor.web.permissions import PERMISSIONS, allowed, is_public
from monitor.web.sessions import SESSION_ID, session_user

SECRET_ENV = "BRANDGUARD_SECRET_KEY"
SECRET_FILE = "web-secret.key"


class LoginRequired(Exception):
    """An anonymous visitor asked for a page; the app answers with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def session_secret(data_dir: Path, environ: dict[str, str] | None = None) -> str:
    """The signing key: env var, else a random key kept in the data dir (0600) so restarts keep sessions."""
    env = (environ if environ is not None else os.environ).get(SECRET_ENV)
    if env:
        return env
    path = data_dir / SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    ensure_private_dir(data_dir)
    key = secrets.token_urlsafe(48)
    try:
        # O_EXCL: two processes starting together must not overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    os.fchmod(fd, 0o600)  # os.open's mode is masked by the umask, which could only tighten it; be explicit
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def route_key(request: Request) -> tuple[str, str]:
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    method = "GET" if request.method == "HEAD" else request.method
    return method, path


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _resolve(request: Request) -> Principal | None:
    state = request.app.state.web
    engine = state.engine
    token = _bearer(request)
    if token is not None:
        key = hash_token(token)
        principal = state.principals.get(key)
        if principal is None:
            with engine.connect() as conn:
                principal = principal_for_token(conn, token)
            if principal is not None:
                state.principals.put(key, principal)
        return principal
    session_id = request.session.get(SESSION_ID)
    if not isinstance(session_id, str):
        return None
    with engine.connect() as conn:
        # the server-side row decides: a cookie copied before logout or disable is dead (issue 11)
        user_id = session_user(conn, session_id, now=state.now())
        principal = principal_for_session(conn, user_id) if user_id is not None else None
    if principal is None:
        request.session.pop(SESSION_ID, None)  # ended, expired, disabled or deleted
    return principal


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/metrics"


async def authorize(request: Request) -> Principal | None:
    """Dependency on every route: who is calling, may they, and (for cookie sessions) is CSRF right."""
    method, path = route_key(request)
    if (method, path) not in PERMISSIONS:
        raise HTTPException(status_code=403, detail="route not in the permission table")
    sent_bearer = _bearer(request) is not None
    # On the event loop, not in the thread pool: one indexed lookup is ~0.3 ms, while 40 pool threads
    # fighting for the GIL made the order in which requests got through unfair (multi-second p99).
    principal = _resolve(request)
    request.state.principal = principal
    if principal is None and not is_public(method, path):
        if sent_bearer or is_api(path):
            raise HTTPException(
                status_code=401,
                detail="login or a valid API token required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        raise LoginRequired(request.url.path)
    if not allowed(method, path, principal.role if principal else None):
        raise HTTPException(
            status_code=403, detail=f"role {principal.role if principal else '-'} may not {method} {path}"
        )
    if request.method not in SAFE_METHODS and not sent_bearer and not await csrf_ok(request):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong; reload the page")
    return principal
