"""Notifiers, one module per kind. They do the IO of the alerts package; everything else is pure."""

from __future__ import annotations

from alerts.notifiers.base import Notifier

__all__ = ["Notifier"]
