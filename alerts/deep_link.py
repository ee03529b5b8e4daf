"""Signed deep links from a bot card into the console: ``{console}/go/{token}``.

The token names one incident and when the link stops working; it is signed (HMAC via itsdangerous'
``Signer``) so a link cannot be edited to point elsewhere, and the console's ``/go`` page only ever
redirects to that incident's own page (through the login page when needed). The link grants nothing:
the console still asks who you are. Pure: ``now`` is a parameter (itsdangerous' timestamped signers
would read the clock, so the expiry is part of the signed value instead).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from itsdangerous import BadSignature, Signer

SALT = "brandguard.incident-link"


class LinkError(ValueError):
    """The token is malformed, tampered with, or expired."""


def _signer(key: str) -> Signer:
    return Signer(key, salt=SALT)


def make_token(key: str, incident_id: int, *, now: datetime, ttl: timedelta) -> str:
    expires = int((now + ttl).timestamp())
    return _signer(key).sign(f"{incident_id}.{expires}".encode()).decode()


def read_token(key: str, token: str, *, now: datetime) -> int:
    """The incident id the token names; LinkError when it is not ours or has expired."""
    try:
        value = _signer(key).unsign(token.encode()).decode()
    except (BadSignature, UnicodeDecodeError):
        raise LinkError("this link is not valid (edited or from another installation)") from None
    incident, _, expires = value.partition(".")
    if not (incident.isdigit() and expires.isdigit()):
        raise LinkError("this link is not valid")
    if now.timestamp() > int(expires):
        raise LinkError("this link has expired; open the incident from the board")
    return int(incident)


def incident_link(console_url: str, key: str, incident_id: int, *, now: datetime, ttl: timedelta) -> str:
    return f"{console_url.rstrip('/')}/go/{make_token(key, incident_id, now=now, ttl=ttl)}"
