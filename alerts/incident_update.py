"""The incident update: what opening an incident, or attaching one more mention to it, changes.

One pure function per case, used by intake (``monitor.incidents.intake``) and by the tests:

* ``open_incident``: the first alertable mention of a story -> aggregate, tier, deadline, clock, "opened";
* ``update_incident``: the open incident's aggregate + a new mention -> the new aggregate (reach and
  negativity sums, max p_negative, crisis terms, top mention), the new tier, the new deadline and its clock,
  and whether to re-notify.

Rules: severity only rises (a story that calms down is still the story that was P1); a rise can only
shorten the deadline, measured from the original opening, never extend it; people are re-notified once per
tier reached, so a flood of reposts cannot repeat a message. ``now`` is a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from alerts.deadline import BusinessCalendar, plan_events, respond_by
from alerts.policy import MentionFacts, PolicyParams, severity_for
from alerts.severity import SEVERITIES, highest, more_severe

ClockPlan = tuple[tuple[str, datetime], ...]  # (event kind, due_at), see alerts.deadline.plan_events

DEFAULT_HOURS = 4.0  # the golden four hours


@dataclass(frozen=True)
class UpdateParams:
    """Everything the update needs from configuration, as plain values."""

    policy: PolicyParams = field(default_factory=PolicyParams)
    respond_by_hours: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 4.0))
    calendar: BusinessCalendar | None = None  # None: 24x7
    # Per-severity override of ``calendar``: P1 runs 24x7 by default even when the rest use business
    # hours, so a P1 raised on Friday night is due that night, not on Monday.
    calendars: Mapping[str, BusinessCalendar | None] = field(default_factory=lambda: {"P1": None})
    reminder_offsets_minutes: Sequence[int] = (120, 60, 30)
    escalate_after_minutes: int | None = 30


@dataclass(frozen=True)
class IncidentAggregate:
    """What an open incident has accumulated (the decision-relevant columns of its row)."""

    severity: str
    highest_notified_severity: str | None
    opened_at: datetime
    respond_by: datetime
    mention_count: int
    negative_count: int
    reach: int
    max_p_negative: float
    crisis_terms: tuple[str, ...]
    top_mention_id: int | None
    # Reach of the top mention; not a column of the incident, the edge reads it from the mention. Only
    # an alertable mention can replace the top one, so for any other the edge may leave it 0.
    top_reach: int = 0


@dataclass(frozen=True)
class Notify:
    """A message to send about the incident: its kind and the event that makes it unique."""

    kind: str  # "opened" | "upgraded" (alerts.message.KIND_LABELS)
    event: str  # part of the idempotency key: "opened", "upgraded-P1", ...


@dataclass(frozen=True)
class IncidentUpdate:
    aggregate: IncidentAggregate
    previous_severity: str | None  # None for a new incident
    # The clock events for the (new) deadline when it was set or moved; empty when it did not change.
    clock: ClockPlan
    notify: Notify | None

    @property
    def severity_changed(self) -> bool:
        return self.previous_severity is not None and self.previous_severity != self.aggregate.severity


def deadline_for(opened_at: datetime, severity: str, params: UpdateParams) -> datetime:
    """respond_by for a tier, counted from the incident's opening (24x7 or working time)."""
    calendar = params.calendars.get(severity, params.calendar)
    return respond_by(opened_at, params.respond_by_hours.get(severity, DEFAULT_HOURS), calendar)


def _clock(opened_at: datetime, deadline: datetime, params: UpdateParams) -> ClockPlan:
    return tuple(
        plan_events(
            opened_at=opened_at,
            deadline=deadline,
            reminder_offsets_minutes=params.reminder_offsets_minutes,
            escalate_after_minutes=params.escalate_after_minutes,
        )
    )


def open_incident(
    facts: MentionFacts, *, mention_id: int, velocity: int, params: UpdateParams, now: datetime
) -> IncidentUpdate:
    """A new incident from its first (alertable) mention; ``velocity`` counts that mention."""
    severity = severity_for(
        max_p_negative=facts.p_negative or 0.0,
        reach=facts.reach,
        velocity=velocity,
        crisis_terms=facts.risk_terms,
        params=params.policy,
    )
    deadline = deadline_for(now, severity, params)
    aggregate = IncidentAggregate(
        severity=severity,
        highest_notified_severity=severity,
        opened_at=now,
        respond_by=deadline,
        mention_count=1,
        negative_count=1,
        reach=facts.reach,
        max_p_negative=facts.p_negative or 0.0,
        crisis_terms=tuple(facts.risk_terms),
        top_mention_id=mention_id,
        top_reach=facts.reach,
    )
    return IncidentUpdate(aggregate, None, _clock(now, deadline, params), Notify("opened", "opened"))


def update_incident(
    current: IncidentAggregate,
    facts: MentionFacts,
    *,
    mention_id: int,
    alertable: bool,
    velocity: int,
    params: UpdateParams,
) -> IncidentUpdate:
    """The open incident after one more mention of its story (alertable or not: every mention counts)."""
    reach = current.reach + facts.reach
    max_p = max(current.max_p_negative, facts.p_negative or 0.0)
    terms = tuple(dict.fromkeys([*current.crisis_terms, *facts.risk_terms]))
    computed = severity_for(
        max_p_negative=max_p, reach=reach, velocity=velocity, crisis_terms=terms, params=params.policy
    )
    # Severity only ever rises: a story that calms down is still the story that was P1.
    severity = highest(current.severity, computed)
    top_id, top_reach = current.top_mention_id, current.top_reach
    # Only a risky mention may become the face of the incident; a louder neutral repost may not.
    if alertable and top_id is not None and facts.reach > top_reach:
        top_id, top_reach = mention_id, facts.reach
    deadline = current.respond_by
    if severity != current.severity:
        # A rise shortens the deadline, counted from the opening; it never gives the team more time.
        deadline = min(current.respond_by, deadline_for(current.opened_at, severity, params))
    clock = _clock(current.opened_at, deadline, params) if deadline != current.respond_by else ()
    rise = more_severe(severity, current.highest_notified_severity)
    aggregate = replace(
        current,
        severity=severity,
        highest_notified_severity=severity if rise else current.highest_notified_severity,
        respond_by=deadline,
        mention_count=current.mention_count + 1,
        negative_count=current.negative_count + (1 if alertable else 0),
        reach=reach,
        max_p_negative=max_p,
        crisis_terms=terms,
        top_mention_id=top_id,
        top_reach=top_reach,
    )
    # Once per tier: the event carries the tier, so the same rise decided twice is one message.
    notify = Notify("upgraded", f"upgraded-{severity}") if rise else None
    return IncidentUpdate(aggregate, current.severity, clock, notify)
