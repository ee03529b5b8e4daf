"""Errors of the alerting package.

Hierarchy::

    AlertsError                root; the CLI prints one line and exits 2
    ├── TransitionError        an incident state change that is not allowed (e.g. resolve a dismissed one)
    ├── IncidentNotFound       no incident with that id
    └── NotifierError          a send failed; ``permanent`` says whether retrying can help
        └── RateLimited        the platform (or our own window) said "too many"; retry later, merge overflow
"""

from __future__ import annotations


class AlertsError(Exception):
    pass


class TransitionError(AlertsError):
    pass


class IncidentNotFound(AlertsError):
    pass


class NotifierError(AlertsError):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class RateLimited(NotifierError):
    def __init__(self, message: str, *, retry_after_s: float = 60.0) -> None:
        super().__init__(message, permanent=False)
        self.retry_after_s = retry_after_s
