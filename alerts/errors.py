"""Errors of the alerting package.

Hierarchy::

    AlertsError                root; the CLI prints one line and exits 2
    ├── TransitionError        an incident state change that is not allowed (e.g. resolve a dismissed one)
    └── NotifierError          a send failed; ``permanent`` says whether retrying can help
"""

from __future__ import annotations


class AlertsError(Exception):
    pass


class TransitionError(AlertsError):
    pass


class NotifierError(AlertsError):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent
