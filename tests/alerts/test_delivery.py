"""Delivery planning (rate budget, quiet hours, digests) and send outcomes, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.backoff import MAX_ATTEMPTS
from alerts.delivery import RATE_LIMIT_RETRY, Digest, Queued, plan_delivery
from alerts.errors import NotifierError, RateLimited
from alerts.outgoing import digest_key, incident_key
from alerts.send_outcome import SENT, after_error

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _rows(*severities: str, held: bool = False, start: int = 1) -> list[Queued]:
    return [Queued(start + i, s, held) for i, s in enumerate(severities)]


def test_under_budget_everything_goes_most_severe_first() -> None:
    plan = plan_delivery(_rows("P3", "P1", "P2"), sent_window=[], per_minute=20, now=NOW)
    assert plan.send == (2, 3, 1) and plan.digests == () and plan.hold == ()


def test_overflow_beyond_budget_becomes_one_digest() -> None:
    rows = _rows(*["P3"] * 10, "P1", "P2")  # ids 1..10 are P3, 11 is P1, 12 is P2
    plan = plan_delivery(rows, sent_window=[], per_minute=5, now=NOW)
    [digest] = plan.digests
    assert plan.send == (11, 12, 1, 2, digest)  # four singles, the most severe first, then the digest
    assert digest == Digest(tuple(range(3, 11)), "P3") and plan.hold == ()


def test_budget_counts_recent_sends() -> None:
    window = [NOW - timedelta(seconds=s) for s in (50, 20)]  # two sent in the last minute
    plan = plan_delivery(_rows("P2", "P2"), sent_window=window, per_minute=3, now=NOW)
    assert plan.send == (plan.digests[0],) and plan.digests[0].members == (1, 2)


def test_no_budget_waits_until_the_window_has_room() -> None:
    window = [NOW - timedelta(seconds=50), NOW - timedelta(seconds=10)]
    plan = plan_delivery(_rows("P1"), sent_window=window, per_minute=2, now=NOW)
    assert plan.send == () and plan.hold == (1,)
    assert plan.hold_until == NOW + timedelta(seconds=10)  # the send 50 s ago leaves the window


def test_quiet_hour_backlog_is_one_digest() -> None:
    rows = [*_rows("P3", "P2", "P3", held=True), *_rows("P1", start=4)]
    plan = plan_delivery(rows, sent_window=[], per_minute=20, now=NOW)
    [digest] = plan.digests
    assert digest == Digest((1, 2, 3), "P2") and plan.send == (4, digest)


def test_one_held_message_is_just_a_message() -> None:
    rows = [*_rows("P3", held=True), *_rows("P2", start=2)]
    assert plan_delivery(rows, sent_window=[], per_minute=20, now=NOW).send == (2, 1)


def test_two_digests_over_a_budget_of_one_wait_a_minute() -> None:
    rows = [*_rows("P3", "P3", held=True), *_rows("P2", "P2", start=3)]
    plan = plan_delivery(rows, sent_window=[], per_minute=1, now=NOW)
    quiet, overflow = plan.digests
    assert quiet.members == (1, 2) and overflow.members == (3, 4)
    assert plan.send == (quiet,) and plan.hold == (overflow,) and plan.hold_until == NOW + RATE_LIMIT_RETRY


def test_sent_continues() -> None:
    assert (SENT.status, SENT.audit_kind, SENT.rest) == ("sent", "notify.sent", "continue")


def test_rate_limited_holds_the_rest_as_long_as_the_platform_says() -> None:
    out = after_error(RateLimited("45009", retry_after_s=600), attempts=1, now=NOW)
    assert (out.status, out.audit_kind, out.rest) == ("pending", "notify.rate_limited", "hold")
    assert out.next_attempt_at == out.rest_until == NOW + timedelta(minutes=10)


def test_permanent_error_disables_the_channel_and_fails_the_rest() -> None:
    out = after_error(NotifierError("310000", permanent=True), attempts=1, now=NOW)
    assert (out.status, out.audit_kind, out.disable_channel, out.rest) == (
        "failed",
        "notify.failed",
        True,
        "fail",
    )


@pytest.mark.parametrize(
    ("attempts", "status", "kind"),
    [
        (1, "pending", "notify.retry"),
        (MAX_ATTEMPTS - 1, "pending", "notify.retry"),
        (MAX_ATTEMPTS, "failed", "notify.failed"),
    ],
)
def test_transient_error_backs_off_then_gives_up(attempts: int, status: str, kind: str) -> None:
    out = after_error(NotifierError("HTTP 503", permanent=False), attempts=attempts, now=NOW)
    assert (out.status, out.audit_kind, out.disable_channel, out.rest) == (status, kind, False, "continue")
    assert (out.next_attempt_at is not None) is (status == "pending")


def test_keys_are_stable() -> None:
    assert incident_key("pr", 7, "opened") == incident_key("pr", 7, "opened")
    assert incident_key("pr", 7, "opened").startswith("inc7-opened-")
    assert incident_key("pr", 7, "opened") != incident_key("lead", 7, "opened")
    assert digest_key("pr", [3, 1, 2]) == digest_key("pr", (1, 2, 3))  # member order does not matter


def test_p1_and_escalations_jump_a_spent_budget() -> None:
    from alerts.delivery import is_urgent

    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    spent = [now - timedelta(seconds=s) for s in range(1, 21)]  # 20 sends in the last minute
    rows = [
        Queued(1, "P3"),
        Queued(2, "P1", urgent=is_urgent("P1", "upgraded")),
        Queued(3, "P2", urgent=is_urgent("P2", "escalation")),
    ]
    plan = plan_delivery(rows, sent_window=spent, per_minute=20, now=now)
    assert plan.send == (2, 3) and plan.hold == (1,)
    assert not is_urgent("P2", "reminder")


def test_urgent_sends_use_up_the_budget_of_the_rest() -> None:
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    rows = [Queued(1, "P3"), Queued(2, "P3"), Queued(3, "P1", urgent=True)]
    plan = plan_delivery(rows, sent_window=[], per_minute=2, now=now)
    assert plan.send[0] == 3 and len(plan.send) == 2
    reserved = plan_delivery(rows[:2], sent_window=[], per_minute=3, now=now, urgent_reserve=2)
    assert reserved.send == (Digest((1, 2), "P3"),)  # one send left: the two fold into a digest
