"""Who may call what: the one table of (method, route path) -> allowed roles.

Enforced by ``monitor.web.auth.authorize`` for every route; a route missing here is refused for everyone
(and the role-matrix test fails), so a new endpoint cannot ship open by accident. ``ANONYMOUS`` in a set
means no login is needed.
"""

from __future__ import annotations

ANONYMOUS = "anonymous"
ALL_ROLES = frozenset({"pr", "copywriter", "auditor", "admin"})
PUBLIC = ALL_ROLES | {ANONYMOUS}
# PR staff answer incidents; copywriters check drafts; auditors read everything and change nothing.
INCIDENT_WRITERS = frozenset({"pr", "admin"})
CHECKERS = frozenset({"pr", "copywriter", "admin"})
AUDIT_READERS = frozenset({"auditor", "admin"})
ADMINS = frozenset({"admin"})

PERMISSIONS: dict[tuple[str, str], frozenset[str]] = {
    # public
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): ALL_ROLES,
    # API
    ("GET", "/api/v1/openapi.json"): ALL_ROLES,
    ("GET", "/metrics"): ALL_ROLES,
    ("POST", "/api/v1/check"): CHECKERS,
    ("POST", "/api/v1/mentions"): INCIDENT_WRITERS,
    ("GET", "/api/v1/mentions"): ALL_ROLES,
    ("GET", "/api/v1/incidents"): ALL_ROLES,
    ("GET", "/api/v1/incidents/{incident_id}"): ALL_ROLES,
    ("POST", "/api/v1/incidents/{incident_id}/acknowledge"): INCIDENT_WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/respond"): INCIDENT_WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/resolve"): INCIDENT_WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/dismiss"): INCIDENT_WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/assign"): INCIDENT_WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/notes"): INCIDENT_WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/merge"): INCIDENT_WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/split"): INCIDENT_WRITERS,
    ("GET", "/api/v1/oncall"): ALL_ROLES,
    ("GET", "/api/v1/audit"): AUDIT_READERS,
    ("GET", "/api/v1/audit/verify"): AUDIT_READERS,
    ("GET", "/api/v1/audit/export"): AUDIT_READERS,
    ("GET", "/api/v1/sources"): ALL_ROLES,
    ("GET", "/api/v1/reports/brief"): ALL_ROLES,
    ("GET", "/api/v1/users"): ADMINS,
    ("POST", "/api/v1/users"): ADMINS,
    ("POST", "/api/v1/users/{name}/disable"): ADMINS,
    ("POST", "/api/v1/users/{name}/tokens"): ADMINS,
    # pages
    ("GET", "/"): ALL_ROLES,
    ("GET", "/incidents"): ALL_ROLES,
    ("GET", "/incidents/{incident_id}"): ALL_ROLES,
    ("POST", "/incidents/{incident_id}/{action}"): INCIDENT_WRITERS,
    ("GET", "/board/rows"): ALL_ROLES,
    ("GET", "/go/{token}"): ALL_ROLES,  # anonymous: login first, then back here
    ("POST", "/incident-ops/{incident_id}/{op}"): INCIDENT_WRITERS,
    ("GET", "/mentions"): ALL_ROLES,
    ("GET", "/sources"): ALL_ROLES,
    ("GET", "/check"): CHECKERS,
    ("POST", "/check"): CHECKERS,
    ("GET", "/audit"): AUDIT_READERS,
    ("GET", "/audit/export"): AUDIT_READERS,
    ("GET", "/reports"): ALL_ROLES,
    ("GET", "/reports/brief"): ALL_ROLES,
    ("GET", "/reports/brief/export"): ALL_ROLES,
    ("GET", "/mentions/export"): ALL_ROLES,
    ("GET", "/static/{path:path}"): ALL_ROLES,  # console scripts and vendored ECharts
    ("GET", "/users"): ADMINS,
    ("POST", "/users"): ADMINS,
    ("POST", "/users/{name}/disable"): ADMINS,
}


def allowed(method: str, path: str, role: str | None) -> bool:
    roles = PERMISSIONS.get((method, path))
    if roles is None:
        return False
    return (role or ANONYMOUS) in roles or ANONYMOUS in roles


def is_public(method: str, path: str) -> bool:
    return ANONYMOUS in PERMISSIONS.get((method, path), frozenset())
