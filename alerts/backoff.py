"""Retry schedule for failed sends: exponential, capped, with a bounded number of attempts."""

from __future__ import annotations

from datetime import timedelta

MAX_ATTEMPTS = 8
BASE = timedelta(seconds=15)
CAP = timedelta(minutes=30)


def retry_delay(attempts: int) -> timedelta | None:
    """Delay before the next try after ``attempts`` failed ones, or None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return min(BASE * (2 ** max(0, attempts - 1)), CAP)
