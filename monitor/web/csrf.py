"""CSRF protection for cookie-authenticated requests.

A random token lives in the signed session; every form carries it in ``csrf_token`` and scripts send it
as ``X-CSRF-Token``. Requests authenticated by a Bearer token are exempt: a browser never attaches one on
its own, so a cross-site page cannot forge them.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(request: Request) -> str:
    """The session's token, created on first use (the login page creates it for anonymous visitors)."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


async def csrf_ok(request: Request) -> bool:
    expected = request.session.get(SESSION_KEY)
    if not isinstance(expected, str) or not expected:
        return False
    sent = request.headers.get(HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            # Starlette caches the parsed form, so the endpoint's Form() parameters still see it.
            form = await request.form()
            value = form.get(FORM_FIELD)
            sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())
