"""What one send's result means for its outbox row, for the channel, and for the rest of this pass.

Pure: the outbox edge sends, then records what this module decides.

* delivered (the platform's own code said so) -> ``sent``; the rest of the queue goes on;
* rate limited (platform code or HTTP 429) -> retried after the platform's wait; the rest of this
  channel's queue waits as long, because every further request would be refused too;
* transient error -> retried with exponential backoff (``alerts.backoff``), ``failed`` when it gives up;
* permanent error (bad key, bad signature) -> ``failed``, the channel is disabled until an operator
  re-enables it, and the rest of its queue fails with that reason instead of hammering a broken bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from alerts.backoff import retry_delay
from alerts.errors import NotifierError, RateLimited

RowStatus = Literal["sent", "pending", "failed"]
Rest = Literal["continue", "hold", "fail"]


@dataclass(frozen=True)
class SendOutcome:
    status: RowStatus
    audit_kind: str  # notify.sent | notify.rate_limited | notify.retry | notify.failed
    next_attempt_at: datetime | None = None
    disable_channel: bool = False
    rest: Rest = "continue"  # the channel's remaining queue in this pass
    rest_until: datetime | None = None  # for rest == "hold"


SENT = SendOutcome("sent", "notify.sent")


def after_error(error: NotifierError, *, attempts: int, now: datetime) -> SendOutcome:
    """The outcome of a failed send; ``attempts`` counts this one."""
    if isinstance(error, RateLimited):
        until = now + timedelta(seconds=error.retry_after_s)
        return SendOutcome("pending", "notify.rate_limited", until, rest="hold", rest_until=until)
    if error.permanent:
        return SendOutcome("failed", "notify.failed", disable_channel=True, rest="fail")
    delay = retry_delay(attempts)
    if delay is None:
        return SendOutcome("failed", "notify.failed")
    return SendOutcome("pending", "notify.retry", now + delay)
