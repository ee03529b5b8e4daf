"""Pure scheduling policy for sources: when to check next after a success, an error or a "retry later".

No clock reads and no IO: every function takes ``now`` (tz-aware UTC) and, where there is jitter, a
``random.Random`` so tests are exact. The daemon stores the result in ``sources.next_check_at``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

# Jitter on a healthy schedule: up to 10% of the interval, never more than a minute, so a thousand
# sources configured with the same interval drift apart instead of firing in lockstep.
SUCCESS_JITTER_FRACTION = 0.10
SUCCESS_JITTER_MAX_S = 60.0

# Backoff: the first retry waits about a minute (or the interval, if shorter); the delay doubles per
# consecutive error and is capped at 1 h or 8 intervals, whichever is smaller, but never below the interval.
BACKOFF_BASE_MAX_S = 60.0
BACKOFF_CAP_S = 3600.0
BACKOFF_CAP_INTERVALS = 8
# Full jitter can draw ~0 s; a floor keeps a failing source from hammering its host.
MIN_RETRY_S = 5.0

# A server asking us to come back later is obeyed, but a Retry-After of a week is not a schedule.
RETRY_AFTER_CAP_S = 6 * 3600.0

DISABLE_AFTER = timedelta(hours=24)

# No catch-up: a source more than this many intervals late (downtime) or scheduled absurdly far in the
# future (clock jumped back) is re-planned from now, spread over at most this window.
OVERDUE_INTERVALS = 2
CATCH_UP_SPREAD_MAX_S = 600.0


@dataclass(frozen=True)
class ErrorState:
    """What the backoff needs from a source row; ``consecutive_errors`` includes the error just seen."""

    consecutive_errors: int
    interval_s: int


def next_check_after_success(interval_s: int, now: datetime, rng: random.Random) -> datetime:
    jitter = rng.uniform(0.0, min(interval_s * SUCCESS_JITTER_FRACTION, SUCCESS_JITTER_MAX_S))
    return now + timedelta(seconds=interval_s + jitter)


def backoff_cap_s(interval_s: int) -> float:
    return max(float(interval_s), min(BACKOFF_CAP_S, float(interval_s * BACKOFF_CAP_INTERVALS)))


def after_error(state: ErrorState, now: datetime, rng: random.Random) -> datetime:
    """Exponential backoff with full jitter (AWS architecture blog: "Exponential Backoff And Jitter")."""
    errors = max(1, state.consecutive_errors)
    base = min(BACKOFF_BASE_MAX_S, float(state.interval_s))
    ceiling = min(backoff_cap_s(state.interval_s), base * 2.0 ** min(errors - 1, 30))
    delay = max(MIN_RETRY_S, rng.uniform(0.0, ceiling))
    return now + timedelta(seconds=delay)


def after_retry_later(retry_after_s: float | None, interval_s: int, now: datetime) -> datetime:
    """429/503 with Retry-After: wait as asked (at least one interval); not counted as an error."""
    asked = float(retry_after_s) if retry_after_s is not None and retry_after_s > 0 else 0.0
    delay = min(max(asked, float(interval_s)), max(float(interval_s), RETRY_AFTER_CAP_S))
    return now + timedelta(seconds=delay)


def should_disable(first_error_at: datetime | None, now: datetime) -> bool:
    return first_error_at is not None and now - first_error_at >= DISABLE_AFTER


def rebase_if_skewed(
    next_check_at: datetime, interval_s: int, now: datetime, rng: random.Random
) -> datetime | None:
    """Return a new next_check_at when the stored one is unusable, else None.

    After downtime every source is overdue; firing each missed interval (or all sources at the same
    instant) would be a burst. Instead a source more than OVERDUE_INTERVALS late is planned from now,
    spread over a window. A next check further ahead than the longest backoff means the clock jumped
    backwards; plan it from now too, or the source would sleep for the size of the jump.
    """
    late = (now - next_check_at).total_seconds()
    if late > interval_s * OVERDUE_INTERVALS:
        return now + timedelta(seconds=rng.uniform(0.0, min(float(interval_s), CATCH_UP_SPREAD_MAX_S)))
    ahead = -late
    if ahead > max(backoff_cap_s(interval_s), RETRY_AFTER_CAP_S) + SUCCESS_JITTER_MAX_S:
        return next_check_after_success(interval_s, now, rng)
    return None
