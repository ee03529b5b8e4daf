"""Notifiers, one module per kind. They do the IO of the alerts package; everything else is pure.

``registry`` is the one table from channel kind to notifier factory; ``base`` holds the protocol and the
shared HTTP plumbing (the Chinese bots answer HTTP 200 with an error code in the body).
"""

from __future__ import annotations

from alerts.notifiers.base import Notifier

__all__ = ["Notifier"]
