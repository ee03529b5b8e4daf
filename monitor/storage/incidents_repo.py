"""Incidents: every SQL statement of the ``incidents`` table, and the mention reads of the alert path.

The incidents wing (``monitor.incidents``) owns the transactions and the flow; these functions take the
caller's connection and do one statement's worth of work each. Rows come back as SQLAlchemy mappings
whose time columns the caller converts with ``as_utc`` (listings convert them here, see ``_with_utc``).

Two daemons may share a PostgreSQL database: ``lock_brand`` serialises incident decisions per brand,
and ``open_for_story`` locks the incident row it returns; on SQLite ``BEGIN IMMEDIATE`` does both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping

from alerts.sla import IncidentTimes
from monitor.storage.locks import xact_lock
from monitor.storage.schema import incidents, mentions
from monitor.storage.times import as_utc, as_utc_required, to_db

# SQLite's default bound-parameter limit is 999; IN lists are chunked below it.
_IN_CHUNK = 900
_TIME_COLUMNS = (
    "opened_at",
    "respond_by",
    "acknowledged_at",
    "responded_at",
    "resolved_at",
    "dismissed_at",
    "breached_at",
    "updated_at",
)

TopMention = tuple[str, "str | None"]  # (title, url) of an incident's top mention


def _with_utc(row: RowMapping) -> dict[str, Any]:
    data = dict(row)
    for key in _TIME_COLUMNS:
        data[key] = as_utc(data.get(key))
    return data


# --- the intake's mention reads ----------------------------------------------------------------------


def unhandled_mention_ids(conn: Connection, limit: int) -> list[int]:
    """Mentions not handed to the alert policy yet, oldest first (baseline ones included)."""
    query = (
        select(mentions.c.id).where(mentions.c.policy_done.is_(False)).order_by(mentions.c.id).limit(limit)
    )
    return list(conn.execute(query).scalars())


def claim_mention(conn: Connection, mention_id: int) -> bool:
    """Mark the mention handled; False when another daemon (or an earlier run) already did."""
    changed = conn.execute(
        update(mentions)
        .where(mentions.c.id == mention_id, mentions.c.policy_done.is_(False))
        .values(policy_done=True)
    ).rowcount
    return bool(changed == 1)


def story_velocity(
    conn: Connection,
    *,
    brand: str,
    story_key: str,
    incident_id: int | None,
    up_to_mention_id: int,
    since: datetime,
    threshold: float,
) -> int:
    """Negative, non-baseline mentions of the story (its key, or already in its incident) since ``since``.

    Only mentions up to ``up_to_mention_id`` count: a backlog processed in one go must rise tier by tier.
    """
    same_story = (
        or_(mentions.c.story_key == story_key, mentions.c.incident_id == incident_id)
        if incident_id is not None
        else mentions.c.story_key == story_key
    )
    count = conn.execute(
        select(func.count())
        .select_from(mentions)
        .where(
            mentions.c.brand == brand,
            same_story,
            mentions.c.baseline.is_(False),
            mentions.c.id <= up_to_mention_id,
            or_(mentions.c.published_at >= to_db(since), mentions.c.fetched_at >= to_db(since)),
            or_(mentions.c.label == "negative", mentions.c.p_negative >= threshold),
        )
    ).scalar_one()
    return int(count)


def mention_reach(conn: Connection, mention_id: int) -> int:
    """followers + likes + reposts of a stored mention (unknown counts add nothing)."""
    reach = conn.execute(
        select(
            func.coalesce(mentions.c.followers, 0)
            + func.coalesce(mentions.c.likes, 0)
            + func.coalesce(mentions.c.reposts, 0)
        ).where(mentions.c.id == mention_id)
    ).scalar()
    return int(reach or 0)


def recent_titles(conn: Connection, incident_id: int, limit: int) -> list[str]:
    """Titles (or texts) of the incident's newest mentions, for same-story comparison."""
    titles = conn.execute(
        select(func.coalesce(mentions.c.title, mentions.c.text))
        .where(mentions.c.incident_id == incident_id)
        .order_by(mentions.c.id.desc())
        .limit(limit)
    ).scalars()
    return [t or "" for t in titles]


def link_mention(conn: Connection, mention_id: int, incident_id: int) -> None:
    conn.execute(update(mentions).where(mentions.c.id == mention_id).values(incident_id=incident_id))


def top_mentions(conn: Connection, ids: Iterable[int | None]) -> dict[int, TopMention]:
    """(title or start of text, url) per mention id, for message rendering."""
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, TopMention] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = conn.execute(
            select(mentions.c.id, mentions.c.title, mentions.c.text, mentions.c.url).where(
                mentions.c.id.in_(wanted[start : start + _IN_CHUNK])
            )
        )
        for row in rows:
            found[row.id] = ((row.title or row.text or "")[:80], row.url)
    return found


# --- incidents: the alert path -------------------------------------------------------------------------


def lock_brand(conn: Connection, brand: str) -> None:
    """Serialise incident decisions per brand across daemons sharing a PostgreSQL database.

    Without it two daemons could each find no open incident for the same story and both open one.
    """
    xact_lock(conn, f"brandguard-incident|{brand}")


def open_for_story(
    conn: Connection, brand: str, story_key: str, open_states: Collection[str]
) -> RowMapping | None:
    """The newest open incident of the brand under this story key, locked for update."""
    return (
        conn.execute(
            select(incidents)
            .where(
                incidents.c.brand == brand,
                incidents.c.story_key == story_key,
                incidents.c.state.in_(open_states),
            )
            .order_by(incidents.c.id.desc())
            .limit(1)
            .with_for_update()
        )
        .mappings()
        .first()
    )


def recent_open(
    conn: Connection, brand: str, *, opened_since: datetime, open_states: Collection[str], limit: int
) -> list[RowMapping]:
    """Open incidents of the brand opened since ``opened_since``, newest first."""
    return list(
        conn.execute(
            select(incidents)
            .where(
                incidents.c.brand == brand,
                incidents.c.state.in_(open_states),
                incidents.c.opened_at >= to_db(opened_since),
            )
            .order_by(incidents.c.id.desc())
            .limit(limit)
        ).mappings()
    )


def insert_incident(conn: Connection, values: Mapping[str, Any]) -> int:
    """A new incident; time values are aware datetimes (stored as UTC)."""
    return int(
        conn.execute(insert(incidents).values(**_db_values(values)).returning(incidents.c.id)).scalar_one()
    )


def update_incident(conn: Connection, incident_id: int, values: Mapping[str, Any]) -> None:
    conn.execute(update(incidents).where(incidents.c.id == incident_id).values(**_db_values(values)))


def transition(conn: Connection, incident_id: int, from_state: str, values: Mapping[str, Any]) -> bool:
    """Conditional update on the state read: False when someone else changed the incident first."""
    changed = conn.execute(
        update(incidents)
        .where(incidents.c.id == incident_id, incidents.c.state == from_state)
        .values(**_db_values(values))
    ).rowcount
    return bool(changed == 1)


def mark_breached(conn: Connection, incident_ids: Collection[int], now: datetime) -> None:
    """Stamp the breach time once: an incident breached earlier keeps its first stamp."""
    conn.execute(
        update(incidents)
        .where(incidents.c.id.in_(incident_ids), incidents.c.breached_at.is_(None))
        .values(breached_at=to_db(now), updated_at=to_db(now))
    )


def _db_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: to_db(v) if isinstance(v, datetime) else v for k, v in values.items()}


def get_row(conn: Connection, incident_id: int, *, for_update: bool = False) -> RowMapping | None:
    query = select(incidents).where(incidents.c.id == incident_id)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).mappings().first()


def get_rows(conn: Connection, incident_ids: Collection[int]) -> dict[int, RowMapping]:
    rows = conn.execute(select(incidents).where(incidents.c.id.in_(incident_ids))).mappings()
    return {r["id"]: r for r in rows}


# --- incidents: the read side ---------------------------------------------------------------------------


def list_incidents(
    conn: Connection,
    *,
    states: Collection[str] | None = None,
    breached_only: bool = False,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Newest first, times as aware UTC."""
    query = select(incidents)
    if states is not None:
        query = query.where(incidents.c.state.in_(states))
    if breached_only:
        query = query.where(incidents.c.breached_at.is_not(None))
    query = query.order_by(incidents.c.opened_at.desc(), incidents.c.id.desc()).limit(limit)
    return [_with_utc(r) for r in conn.execute(query).mappings()]


def board(conn: Connection, *, states: Collection[str], limit: int) -> list[dict[str, Any]]:
    """Incidents in ``states``, most severe first, then the nearest deadline, times as aware UTC."""
    rank = case({"P1": 1, "P2": 2, "P3": 3}, value=incidents.c.severity, else_=9)
    query = (
        select(incidents)
        .where(incidents.c.state.in_(states))
        .order_by(rank, incidents.c.respond_by, incidents.c.id)
        .limit(limit)
    )
    return [_with_utc(r) for r in conn.execute(query).mappings()]


def get_incident(conn: Connection, incident_id: int) -> dict[str, Any] | None:
    row = get_row(conn, incident_id)
    return None if row is None else _with_utc(row)


def incident_mentions(conn: Connection, incident_id: int) -> list[dict[str, Any]]:
    """The incident's mentions, newest first, times as aware UTC."""
    query = (
        select(
            mentions.c.id,
            mentions.c.title,
            mentions.c.url,
            mentions.c.author,
            mentions.c.published_at,
            mentions.c.fetched_at,
            mentions.c.p_negative,
            mentions.c.label,
            mentions.c.risk_terms,
            mentions.c.followers,
            mentions.c.likes,
            mentions.c.reposts,
        )
        .where(mentions.c.incident_id == incident_id)
        .order_by(mentions.c.published_at.desc())
    )
    return [
        {**dict(m), "published_at": as_utc(m["published_at"]), "fetched_at": as_utc(m["fetched_at"])}
        for m in conn.execute(query).mappings()
    ]


def opened_since(conn: Connection, since: datetime) -> list[RowMapping]:
    """Incidents opened at or after ``since`` (SLA figures)."""
    return list(conn.execute(select(incidents).where(incidents.c.opened_at >= to_db(since))).mappings())


def dismissed_mentions(conn: Connection) -> list[dict[str, Any]]:
    """Mentions of dismissed incidents with the reason (labelled model feedback)."""
    query = (
        select(
            mentions.c.id,
            mentions.c.brand,
            mentions.c.title,
            mentions.c.text,
            mentions.c.p_negative,
            incidents.c.id.label("incident_id"),
            incidents.c.dismiss_reason,
        )
        .join(incidents, mentions.c.incident_id == incidents.c.id)
        .where(incidents.c.state == "dismissed")
        .order_by(mentions.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def sla_times(r: RowMapping) -> IncidentTimes:
    """An incident row's clock as the SLA core reads it (times back in UTC)."""
    return IncidentTimes(
        brand=r["brand"],
        severity=r["severity"],
        state=r["state"],
        opened_at=as_utc_required(r["opened_at"]),
        respond_by=as_utc_required(r["respond_by"]),
        acknowledged_at=as_utc(r["acknowledged_at"]),
        responded_at=as_utc(r["responded_at"]),
        breached_at=as_utc(r["breached_at"]),
    )
