"""Intake: stored, scored mentions in; new or updated incidents, clock events and outbox rows out.

Each mention is handled in its own transaction, in four steps:

1. claim the mention (a conditional update, so two daemons never handle it twice) and load it;
2. load what the decision needs: the open incident of its story (or one telling the same story under
   another key, ``alerts.story``), the story's velocity, the top mention's reach;
3. ask ``alerts``: is it alertable (``alerts.policy``), and what does it change
   (``alerts.incident_update.open_incident`` / ``update_incident``), to whom (``alerts.routing``);
4. store the answer: the incident row, its clock events, the outbox rows, and the audit entry.

The steps commit together or not at all, so a crash never leaves an incident without its notification
or a notification without its incident.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection, Engine, RowMapping

from alerts.incident_update import IncidentAggregate, IncidentUpdate, open_incident, update_incident
from alerts.policy import MentionFacts, is_alertable
from alerts.routing import route_channels
from alerts.story import best_match
from alerts.story_events import facts, verdict
from alerts.transitions import OPEN_STATES
from monitor.incidents.clock import reschedule_events
from monitor.incidents.enqueue import Notice, enqueue_many
from monitor.incidents.journal import SYSTEM_ACTOR, audit
from monitor.incidents.settings import routes, update_params
from monitor.storage import deadline_events_repo, incident_ops_repo, incidents_repo
from monitor.storage.mentions_repo import MentionRow, get_mention
from monitor.storage.times import as_utc_required

if TYPE_CHECKING:
    from monitor.config import Config

__all__ = ["pending_events_count", "process_pending_mentions"]

BATCH = 500
STORY_CANDIDATES = 50  # open incidents of a brand compared with a mention
STORY_TITLES = 20  # recent mention titles per incident used for the comparison


def process_pending_mentions(engine: Engine, config: Config, now: datetime) -> int:
    """Run the alert policy over every stored, scored mention not handed to it yet.

    Baseline mentions (a source's first fetch) are marked done without alerting. Unscored mentions
    (model unavailable) are handled too: crisis terms and reach can still make them risky, and leaving
    them pending would pile them up forever. Returns the number of mentions handled.
    """
    handled = 0
    while True:
        with engine.connect() as conn:
            ids = incidents_repo.unhandled_mention_ids(conn, BATCH)
        if not ids:
            return handled
        for mention_id in ids:
            with engine.begin() as conn:
                if _handle_mention(conn, config, mention_id, now):
                    handled += 1


def _facts(mention: MentionRow) -> MentionFacts:
    return MentionFacts(
        p_negative=mention.p_negative,
        risk_terms=mention.risk_terms,
        followers=mention.followers,
        likes=mention.likes,
        reposts=mention.reposts,
        comments=mention.comments,
    )


def _handle_mention(conn: Connection, config: Config, mention_id: int, now: datetime) -> bool:
    # Claim first: a second daemon on the same database (or a re-run) sees it claimed and moves on.
    if not incidents_repo.claim_mention(conn, mention_id):
        return False
    mention = get_mention(conn, mention_id)
    if mention is None or mention.baseline:
        return True
    incidents_repo.lock_brand(conn, mention.brand)
    facts = _facts(mention)
    params = update_params(config, mention.brand)
    alertable, reasons = is_alertable(facts, params.policy)
    incident = incidents_repo.open_for_story(conn, mention.brand, mention.story_key, OPEN_STATES)
    if incident is not None and _tells_another_story(conn, mention, incident["id"]):
        # The fingerprint matched a shared headline template, but the facts name another event, model
        # or city: do not fold a second story into this incident; another incident under the same key
        # may be this story's own, else it gets a new one.
        incident = _own_incident_under_key(conn, mention, exclude=incident["id"])
    elif incident is None:
        # The story's incident was merged into another: later mentions follow it there.
        survivor = incident_ops_repo.merged_survivor(conn, mention.brand, mention.story_key, OPEN_STATES)
        incident = incidents_repo.get_row(conn, survivor) if survivor is not None else None
    if incident is None and alertable:
        incident = _same_story_elsewhere(conn, config, mention, now)
    if incident is None and not alertable:
        return True
    velocity = _velocity(
        conn,
        config,
        mention,
        now,
        incident_id=incident["id"] if incident else None,
        threshold=params.policy.threshold,
    )
    if incident is None:
        update = open_incident(facts, mention_id=mention.id, velocity=velocity, params=params, now=now)
        _store_new(conn, config, mention, update, reasons, velocity, now)
    else:
        current = _aggregate(conn, incident, with_top_reach=alertable)
        update = update_incident(
            current, facts, mention_id=mention.id, alertable=alertable, velocity=velocity, params=params
        )
        _store_update(conn, config, incident, mention, update, now)
    return True


def _tells_another_story(conn: Connection, mention: MentionRow, incident_id: int) -> bool:
    title = mention.title or (mention.text or "")[:200]
    mine = facts(title, mention.brand)
    if not (mine.events or mine.models or mine.cities):
        return False  # nothing to contradict with; the common repost case costs no query
    titles = incidents_repo.recent_titles(conn, incident_id, STORY_TITLES)
    votes = [verdict(mine, facts(t, mention.brand)) for t in titles]
    return False in votes and True not in votes


def _own_incident_under_key(conn: Connection, mention: MentionRow, *, exclude: int) -> RowMapping | None:
    ids = incident_ops_repo.open_ids_for_story(conn, mention.brand, mention.story_key, OPEN_STATES)
    for incident_id in ids:
        if incident_id != exclude and not _tells_another_story(conn, mention, incident_id):
            return incidents_repo.get_row(conn, incident_id, for_update=True)
    return None


def _same_story_elsewhere(
    conn: Connection, config: Config, mention: MentionRow, now: datetime
) -> RowMapping | None:
    """An open incident of the brand whose mentions tell the same story under another story_key."""
    window = config.alerts.story_window_minutes
    if window <= 0:
        return None
    candidates = incidents_repo.recent_open(
        conn,
        mention.brand,
        opened_since=now - timedelta(minutes=window),
        open_states=OPEN_STATES,
        limit=STORY_CANDIDATES,
    )
    if not candidates:
        return None
    described = [
        (c["id"], c["crisis_terms"] or [], incidents_repo.recent_titles(conn, c["id"], STORY_TITLES))
        for c in candidates
    ]
    chosen = best_match(
        mention.title or (mention.text or "")[:200],
        mention.risk_terms,
        described,
        brand=mention.brand,
        min_similarity=config.alerts.story_similarity,
        min_similarity_with_terms=config.alerts.story_similarity_with_terms,
    )
    if chosen is None:
        return None
    return next(c for c in candidates if c["id"] == chosen)


def _velocity(
    conn: Connection,
    config: Config,
    mention: MentionRow,
    now: datetime,
    *,
    incident_id: int | None,
    threshold: float,
) -> int:
    """Negative mentions of the same story inside the velocity window (this one included)."""
    count = incidents_repo.story_velocity(
        conn,
        brand=mention.brand,
        story_key=mention.story_key,
        incident_id=incident_id,
        up_to_mention_id=mention.id,
        since=now - timedelta(minutes=config.alerts.velocity_window_minutes),
        threshold=threshold,
    )
    return max(1, count)


def _aggregate(conn: Connection, row: RowMapping, *, with_top_reach: bool) -> IncidentAggregate:
    top_id = row["top_mention_id"]
    # The top mention's reach only matters when the new mention may replace it (an alertable one):
    # a flood of neutral reposts costs no extra read.
    top_reach = incidents_repo.mention_reach(conn, top_id) if with_top_reach and top_id is not None else 0
    return IncidentAggregate(
        severity=row["severity"],
        highest_notified_severity=row["highest_notified_severity"],
        opened_at=as_utc_required(row["opened_at"]),
        respond_by=as_utc_required(row["respond_by"]),
        mention_count=int(row["mention_count"]),
        negative_count=int(row["negative_count"]),
        reach=int(row["reach"]),
        max_p_negative=float(row["max_p_negative"]),
        crisis_terms=tuple(row["crisis_terms"] or ()),
        top_mention_id=top_id,
        top_reach=top_reach,
    )


def _aggregate_values(update: IncidentUpdate, now: datetime) -> dict[str, object]:
    a = update.aggregate
    return {
        "severity": a.severity,
        "highest_notified_severity": a.highest_notified_severity,
        "respond_by": a.respond_by,
        "mention_count": a.mention_count,
        "negative_count": a.negative_count,
        "reach": a.reach,
        "max_p_negative": a.max_p_negative,
        "crisis_terms": list(a.crisis_terms),
        "top_mention_id": a.top_mention_id,
        "updated_at": now,
    }


def _store_new(
    conn: Connection,
    config: Config,
    mention: MentionRow,
    update: IncidentUpdate,
    reasons: tuple[str, ...],
    velocity: int,
    now: datetime,
) -> None:
    a = update.aggregate
    incident_id = incidents_repo.insert_incident(
        conn,
        {
            "brand": mention.brand,
            "story_key": mention.story_key,
            "state": "open",
            "title": (mention.title or mention.text or "")[:200],
            "opened_at": a.opened_at,
            **_aggregate_values(update, now),
        },
    )
    incidents_repo.link_mention(conn, mention.id, incident_id)
    deadline_events_repo.insert_events(conn, incident_id, update.clock)
    row = incidents_repo.get_row(conn, incident_id)
    assert row is not None  # inserted above, in this transaction
    channels = route_channels(routes(config), mention.brand, a.severity)
    queued = _notify(conn, config, update, row, channels, now)
    audit(
        conn,
        actor=SYSTEM_ACTOR,
        kind="incident.open",
        subject=f"incident:{incident_id}",
        now=now,
        data={
            "brand": mention.brand,
            "severity": a.severity,
            "story_key": mention.story_key,
            "mention_id": mention.id,
            "respond_by": a.respond_by.isoformat(),
            "reasons": list(reasons),
            "velocity": velocity,
            "channels": channels,
            "queued": queued,
        },
    )


def _store_update(
    conn: Connection,
    config: Config,
    incident: RowMapping,
    mention: MentionRow,
    update: IncidentUpdate,
    now: datetime,
) -> None:
    a = update.aggregate
    incident_id = incident["id"]
    incidents_repo.update_incident(conn, incident_id, _aggregate_values(update, now))
    incidents_repo.link_mention(conn, mention.id, incident_id)
    if update.clock:
        reschedule_events(conn, incident_id=incident_id, plan=update.clock)
    if update.notify is None:
        return
    row = incidents_repo.get_row(conn, incident_id)
    assert row is not None  # locked by open_for_story / still open in this transaction
    channels = route_channels(routes(config), incident["brand"], a.severity)
    queued = _notify(conn, config, update, row, channels, now)
    audit(
        conn,
        actor=SYSTEM_ACTOR,
        kind="incident.severity",
        subject=f"incident:{incident_id}",
        now=now,
        data={
            "from": update.previous_severity,
            "to": a.severity,
            "mention_id": mention.id,
            "respond_by": a.respond_by.isoformat(),
            "channels": channels,
            "queued": queued,
        },
    )


def _notify(
    conn: Connection,
    config: Config,
    update: IncidentUpdate,
    row: RowMapping,
    channels: list[str],
    now: datetime,
) -> int:
    assert update.notify is not None
    notice = Notice(channels, row, update.notify.kind, update.notify.event)
    return enqueue_many(conn, config, [notice], now=now)


def pending_events_count(conn: Connection, now: datetime) -> int:
    """Clock events due and not yet fired (for health pages)."""
    return deadline_events_repo.pending_due_count(conn, now)
