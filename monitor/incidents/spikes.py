"""Brand-level spike check at the database edge: count each brand's mentions in the current window and
the same window in past weeks (``spike_repo``), ask ``alerts.spike.detect``, and raise a spike incident
for the brand or upgrade its open one, with the reason in words on the incident, in the card and in the
compliance log. Run by the daemon every five minutes (``monitor.crawl.daemon.SPIKE_TICK_S``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection, Engine

from alerts.deadline import plan_events
from alerts.incident_update import deadline_for
from alerts.routing import route_channels
from alerts.severity import more_severe
from alerts.spike import Spike, SpikeParams, WindowCounts, detect, windows
from alerts.transitions import OPEN_STATES
from monitor.incidents.clock import reschedule_events
from monitor.incidents.enqueue import Notice, enqueue_many
from monitor.incidents.journal import SYSTEM_ACTOR, audit
from monitor.incidents.settings import routes, update_params
from monitor.storage import deadline_events_repo, incidents_repo, spike_repo
from monitor.storage.times import as_utc_required

if TYPE_CHECKING:
    from monitor.config import Config

SPIKE_PREFIX = "spike:"


def spike_params(config: Config) -> SpikeParams:
    from datetime import timedelta

    s = config.alerts.spike
    return SpikeParams(
        window=timedelta(minutes=s.window_minutes),
        baseline_weeks=s.baseline_weeks,
        min_count=s.min_count,
        ratio=s.ratio,
        negative_ratio=s.negative_ratio,
    )


def check_spikes(engine: Engine, config: Config, now: datetime) -> int:
    """Raise or upgrade spike incidents for every brand spiking at ``now``; returns how many changed."""
    if not config.alerts.spike.enabled:
        return 0
    params = spike_params(config)
    spans = windows(now, params)
    with engine.connect() as conn:
        counts = [
            spike_repo.counts_by_brand(conn, start, end, config.alerts.threshold) for start, end in spans
        ]
    changed = 0
    for brand in sorted(counts[0]):
        current = WindowCounts(*counts[0][brand])
        baseline = [WindowCounts(*c.get(brand, (0, 0))) for c in counts[1:]]
        spike = detect(current, baseline, params)
        if spike is None:
            continue
        with engine.begin() as conn:
            incidents_repo.lock_brand(conn, brand)
            changed += _apply(conn, config, brand, spike, now)
    return changed


def _apply(conn: Connection, config: Config, brand: str, spike: Spike, now: datetime) -> int:
    story_key = f"{SPIKE_PREFIX}{brand}"
    existing = spike_repo.open_spike_incident(conn, brand, story_key, tuple(OPEN_STATES))
    params = update_params(config, brand)
    channels = route_channels(routes(config), brand, spike.severity)
    if existing is None:
        deadline = deadline_for(now, spike.severity, params)
        incident_id = incidents_repo.insert_incident(
            conn,
            {
                "brand": brand,
                "story_key": story_key,
                "state": "open",
                "title": spike.reason.split("：")[0],
                "severity": spike.severity,
                "highest_notified_severity": spike.severity,
                "opened_at": now,
                "respond_by": deadline,
                "mention_count": spike.total,
                "negative_count": spike.negative,
                "crisis_terms": [],
                "reason": spike.reason,
                "updated_at": now,
            },
        )
        plan = plan_events(
            opened_at=now,
            deadline=deadline,
            reminder_offsets_minutes=params.reminder_offsets_minutes,
            escalate_after_minutes=params.escalate_after_minutes,
        )
        deadline_events_repo.insert_events(conn, incident_id, plan)
        row = incidents_repo.get_row(conn, incident_id)
        assert row is not None  # inserted above
        queued = enqueue_many(conn, config, [Notice(channels, row, "opened", "opened")], now=now)
        audit(
            conn,
            actor=SYSTEM_ACTOR,
            kind="incident.open",
            subject=f"incident:{incident_id}",
            now=now,
            data={"brand": brand, "severity": spike.severity, "reasons": [spike.reason], "queued": queued},
        )
        return 1
    row = incidents_repo.get_row(conn, existing, for_update=True)
    assert row is not None  # found open just now, under the brand lock
    values: dict[str, object] = {"reason": spike.reason, "updated_at": now}
    if not more_severe(spike.severity, row["severity"]):
        incidents_repo.update_incident(conn, existing, values)
        return 0
    opened = as_utc_required(row["opened_at"])
    deadline = min(as_utc_required(row["respond_by"]), deadline_for(opened, spike.severity, params))
    values.update(severity=spike.severity, respond_by=deadline)
    rise = more_severe(spike.severity, row["highest_notified_severity"])
    if rise:
        values["highest_notified_severity"] = spike.severity
    incidents_repo.update_incident(conn, existing, values)
    reschedule_events(
        conn,
        incident_id=existing,
        plan=plan_events(
            opened_at=opened,
            deadline=deadline,
            reminder_offsets_minutes=params.reminder_offsets_minutes,
            escalate_after_minutes=params.escalate_after_minutes,
        ),
    )
    updated = incidents_repo.get_row(conn, existing)
    assert updated is not None
    queued = 0
    if rise:
        notice = Notice(channels, updated, "upgraded", f"upgraded-{spike.severity}")
        queued = enqueue_many(conn, config, [notice], now=now)
    audit(
        conn,
        actor=SYSTEM_ACTOR,
        kind="incident.severity",
        subject=f"incident:{existing}",
        now=now,
        data={"from": row["severity"], "to": spike.severity, "reason": spike.reason, "queued": queued},
    )
    return 1
