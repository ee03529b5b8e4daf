"""Intake: stored, scored mentions in; new or updated incidents, clock events and outbox rows out.

Each mention is handled in its own transaction: the incident change, its clock events, the outbox rows
and the audit entries commit together or not at all, so a crash never leaves an incident without its
notification or a notification without its incident.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection, Engine, RowMapping

from alerts.deadline import plan_events, respond_by
from alerts.policy import MentionFacts, is_alertable, severity_for
from alerts.severity import highest, more_severe
from alerts.story import best_match
from alerts.transitions import OPEN_STATES
from monitor.incidents.clock import reschedule_events
from monitor.incidents.common import SYSTEM_ACTOR, audit, enqueue, route_channels
from monitor.storage.schema import deadline_events, incidents, mentions
from monitor.storage.times import as_utc_required, to_db

if TYPE_CHECKING:
    from monitor.config import Config

__all__ = ["pending_events_count", "process_pending_mentions"]

BATCH = 500
STORY_CANDIDATES = 50  # open incidents of a brand compared with a mention
STORY_TITLES = 20  # recent mention titles per incident used for the comparison


def process_pending_mentions(engine: Engine, config: Config, now: datetime) -> int:
    """Run the alert policy over every stored, scored mention not handed to it yet.

    Baseline mentions (a source's first fetch) are marked done without alerting. Returns the number of
    mentions handled.
    """
    handled = 0
    while True:
        with engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(mentions.c.id)
                    # Unscored mentions (model unavailable) are handled too: crisis terms and reach can
                    # still make them risky, and leaving them pending would pile them up forever.
                    .where(mentions.c.policy_done.is_(False))
                    .order_by(mentions.c.id)
                    .limit(BATCH)
                ).scalars()
            )
        if not ids:
            return handled
        for mention_id in ids:
            with engine.begin() as conn:
                if _handle_mention(conn, config, mention_id, now):
                    handled += 1


def _handle_mention(conn: Connection, config: Config, mention_id: int, now: datetime) -> bool:
    # Claim first: a second daemon on the same database (or a re-run) sees rowcount 0 and moves on.
    claimed = conn.execute(
        update(mentions)
        .where(mentions.c.id == mention_id, mentions.c.policy_done.is_(False))
        .values(policy_done=True)
    ).rowcount
    if claimed != 1:
        return False
    mention = conn.execute(select(mentions).where(mentions.c.id == mention_id)).mappings().one()
    if mention["baseline"]:
        return True
    _lock_brand(conn, mention["brand"])
    params = config.alerts.policy_params(mention["brand"])
    facts = MentionFacts(
        p_negative=mention["p_negative"],
        risk_terms=tuple(mention["risk_terms"] or ()),
        followers=mention["followers"],
        likes=mention["likes"],
        reposts=mention["reposts"],
    )
    alertable, reasons = is_alertable(facts, params)
    incident = (
        conn.execute(
            select(incidents)
            .where(
                incidents.c.brand == mention["brand"],
                incidents.c.story_key == mention["story_key"],
                incidents.c.state.in_(OPEN_STATES),
            )
            .order_by(incidents.c.id.desc())
            .limit(1)
            .with_for_update()
        )
        .mappings()
        .first()
    )
    if incident is None and alertable:
        incident = _same_story_elsewhere(conn, config, mention, now)
    if incident is None and not alertable:
        return True
    velocity = _velocity(conn, config, mention, now, incident_id=incident["id"] if incident else None)
    if incident is None:
        _open_incident(conn, config, mention, facts, reasons, velocity, now)
    else:
        _attach(conn, config, incident, mention, facts, alertable, velocity, now)
    return True


def _lock_brand(conn: Connection, brand: str) -> None:
    """Serialise incident decisions per brand across daemons sharing a PostgreSQL database.

    Without it two daemons could each find no open incident for the same story and both open one.
    SQLite needs nothing: ``BEGIN IMMEDIATE`` already serialises writers.
    """
    if conn.dialect.name != "postgresql":
        return
    key = int.from_bytes(
        hashlib.sha256(f"brandguard-incident|{brand}".encode()).digest()[:8], "big", signed=True
    )
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _same_story_elsewhere(
    conn: Connection, config: Config, mention: RowMapping, now: datetime
) -> RowMapping | None:
    """An open incident of the brand whose mentions tell the same story under another story_key."""
    window = config.alerts.story_window_minutes
    if window <= 0:
        return None
    candidates = list(
        conn.execute(
            select(incidents)
            .where(
                incidents.c.brand == mention["brand"],
                incidents.c.state.in_(OPEN_STATES),
                incidents.c.opened_at >= to_db(now - timedelta(minutes=window)),
            )
            .order_by(incidents.c.id.desc())
            .limit(STORY_CANDIDATES)
        ).mappings()
    )
    if not candidates:
        return None
    described = []
    for candidate in candidates:
        titles = conn.execute(
            select(func.coalesce(mentions.c.title, mentions.c.text))
            .where(mentions.c.incident_id == candidate["id"])
            .order_by(mentions.c.id.desc())
            .limit(STORY_TITLES)
        ).scalars()
        described.append((candidate["id"], candidate["crisis_terms"] or [], [t or "" for t in titles]))
    chosen = best_match(
        mention["title"] or (mention["text"] or "")[:200],
        mention["risk_terms"] or [],
        described,
        brand=mention["brand"],
        min_similarity=config.alerts.story_similarity,
        min_similarity_with_terms=config.alerts.story_similarity_with_terms,
    )
    if chosen is None:
        return None
    return next(c for c in candidates if c["id"] == chosen)


def _velocity(
    conn: Connection, config: Config, mention: RowMapping, now: datetime, *, incident_id: int | None = None
) -> int:
    """Negative mentions of the same story inside the velocity window (this one included)."""
    since = now - timedelta(minutes=config.alerts.velocity_window_minutes)
    threshold = config.alerts.policy_params(mention["brand"]).threshold
    count = conn.execute(
        select(func.count())
        .select_from(mentions)
        .where(
            mentions.c.brand == mention["brand"],
            or_(mentions.c.story_key == mention["story_key"], mentions.c.incident_id == incident_id)
            if incident_id is not None
            else mentions.c.story_key == mention["story_key"],
            mentions.c.baseline.is_(False),
            # only what has been seen so far: a backlog processed in one go must rise tier by tier
            mentions.c.id <= mention["id"],
            or_(mentions.c.published_at >= to_db(since), mentions.c.fetched_at >= to_db(since)),
            or_(mentions.c.label == "negative", mentions.c.p_negative >= threshold),
        )
    ).scalar_one()
    return max(1, int(count))


def _deadline(config: Config, opened_at: datetime, severity: str) -> datetime:
    hours = config.alerts.respond_by_hours.get(severity, 4.0)  # type: ignore[call-overload]
    return respond_by(opened_at, hours, config.alerts.business_calendar())


def _open_incident(
    conn: Connection,
    config: Config,
    mention: RowMapping,
    facts: MentionFacts,
    reasons: tuple[str, ...],
    velocity: int,
    now: datetime,
) -> None:
    params = config.alerts.policy_params(mention["brand"])
    severity = severity_for(
        max_p_negative=facts.p_negative or 0.0,
        reach=facts.reach,
        velocity=velocity,
        crisis_terms=facts.risk_terms,
        params=params,
    )
    deadline = _deadline(config, now, severity)
    title = (mention["title"] or mention["text"] or "")[:200]
    incident_id = conn.execute(
        insert(incidents)
        .values(
            brand=mention["brand"],
            story_key=mention["story_key"],
            severity=severity,
            state="open",
            title=title,
            top_mention_id=mention["id"],
            mention_count=1,
            negative_count=1,
            reach=facts.reach,
            max_p_negative=facts.p_negative or 0.0,
            crisis_terms=list(facts.risk_terms),
            opened_at=to_db(now),
            respond_by=to_db(deadline),
            highest_notified_severity=severity,
            updated_at=to_db(now),
        )
        .returning(incidents.c.id)
    ).scalar_one()
    conn.execute(update(mentions).where(mentions.c.id == mention["id"]).values(incident_id=incident_id))
    for kind, due in plan_events(
        opened_at=now,
        deadline=deadline,
        reminder_offsets_minutes=config.alerts.reminder_offsets_minutes,
        escalate_after_minutes=config.alerts.escalate_after_minutes,
    ):
        conn.execute(
            insert(deadline_events).values(
                incident_id=incident_id, kind=kind, due_at=to_db(due), skipped=False
            )
        )
    row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().one()
    channels = route_channels(config, row["brand"], severity)
    queued = enqueue(conn, config, channels=channels, incident=row, kind="opened", event="opened", now=now)
    audit(
        conn,
        actor=SYSTEM_ACTOR,
        kind="incident.open",
        subject=f"incident:{incident_id}",
        now=now,
        data={
            "brand": row["brand"],
            "severity": severity,
            "story_key": row["story_key"],
            "mention_id": mention["id"],
            "respond_by": deadline.isoformat(),
            "reasons": list(reasons),
            "velocity": velocity,
            "channels": channels,
            "queued": queued,
        },
    )


def _attach(
    conn: Connection,
    config: Config,
    incident: RowMapping,
    mention: RowMapping,
    facts: MentionFacts,
    alertable: bool,
    velocity: int,
    now: datetime,
) -> None:
    params = config.alerts.policy_params(incident["brand"])
    reach = int(incident["reach"]) + facts.reach
    max_p = max(float(incident["max_p_negative"]), facts.p_negative or 0.0)
    terms = list(dict.fromkeys([*(incident["crisis_terms"] or []), *facts.risk_terms]))
    computed = severity_for(
        max_p_negative=max_p, reach=reach, velocity=velocity, crisis_terms=terms, params=params
    )
    # Severity only ever rises: a story that calms down is still the story that was P1.
    severity = highest(incident["severity"], computed)
    top_id = incident["top_mention_id"]
    if alertable and top_id is not None:
        top_reach = conn.execute(
            select(
                func.coalesce(mentions.c.followers, 0)
                + func.coalesce(mentions.c.likes, 0)
                + func.coalesce(mentions.c.reposts, 0)
            ).where(mentions.c.id == top_id)
        ).scalar()
        if facts.reach > int(top_reach or 0):
            top_id = mention["id"]
    values: dict[str, Any] = {
        "mention_count": incident["mention_count"] + 1,
        "negative_count": incident["negative_count"] + (1 if alertable else 0),
        "reach": reach,
        "max_p_negative": max_p,
        "crisis_terms": terms,
        "severity": severity,
        "top_mention_id": top_id,
        "updated_at": to_db(now),
    }
    rise = more_severe(severity, incident["highest_notified_severity"])
    old_deadline = as_utc_required(incident["respond_by"])
    new_deadline = old_deadline
    if severity != incident["severity"]:
        opened_at = as_utc_required(incident["opened_at"])
        new_deadline = min(old_deadline, _deadline(config, opened_at, severity))
        values["respond_by"] = to_db(new_deadline)
    if rise:
        values["highest_notified_severity"] = severity
    conn.execute(update(incidents).where(incidents.c.id == incident["id"]).values(**values))
    conn.execute(update(mentions).where(mentions.c.id == mention["id"]).values(incident_id=incident["id"]))
    if new_deadline != old_deadline:
        reschedule_events(
            conn,
            config,
            incident_id=incident["id"],
            opened_at=as_utc_required(incident["opened_at"]),
            deadline=new_deadline,
        )
    if rise:
        row = conn.execute(select(incidents).where(incidents.c.id == incident["id"])).mappings().one()
        channels = route_channels(config, row["brand"], severity)
        # Once per tier: the idempotency key carries the tier, so a flood of reposts cannot repeat it.
        queued = enqueue(
            conn,
            config,
            channels=channels,
            incident=row,
            kind="upgraded",
            event=f"upgraded-{severity}",
            now=now,
        )
        audit(
            conn,
            actor=SYSTEM_ACTOR,
            kind="incident.severity",
            subject=f"incident:{incident['id']}",
            now=now,
            data={
                "from": incident["severity"],
                "to": severity,
                "mention_id": mention["id"],
                "respond_by": new_deadline.isoformat(),
                "channels": channels,
                "queued": queued,
            },
        )


def pending_events_count(conn: Connection, now: datetime) -> int:
    """Clock events due and not yet fired (for health pages)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(deadline_events)
            .where(and_(deadline_events.c.fired_at.is_(None), deadline_events.c.due_at <= to_db(now)))
        ).scalar_one()
    )
