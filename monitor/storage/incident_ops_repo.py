"""SQL of the people side of incidents: owner, notes, and moving mentions between incidents (merge,
split) with the aggregate recomputed from the mentions themselves."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.engine import Connection

from monitor.storage.schema import incident_notes, incidents, mentions
from monitor.storage.times import as_utc_required, to_db


def set_owner(conn: Connection, incident_id: int, owner: str | None, now: datetime) -> None:
    conn.execute(
        update(incidents)
        .where(incidents.c.id == incident_id)
        .values(owner=owner, assigned_at=to_db(now) if owner else None, updated_at=to_db(now))
    )


def add_note(conn: Connection, incident_id: int, author: str, text: str, now: datetime) -> int:
    result = conn.execute(
        insert(incident_notes).values(
            incident_id=incident_id, author=author, text=text, created_at=to_db(now)
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def notes_of(conn: Connection, incident_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(incident_notes)
        .where(incident_notes.c.incident_id == incident_id)
        .order_by(incident_notes.c.created_at, incident_notes.c.id)
    ).mappings()
    return [{**dict(r), "created_at": as_utc_required(r["created_at"])} for r in rows]


def mention_ids_of(conn: Connection, incident_id: int) -> list[int]:
    return list(
        conn.execute(
            select(mentions.c.id).where(mentions.c.incident_id == incident_id).order_by(mentions.c.id)
        ).scalars()
    )


def move_mentions(conn: Connection, mention_ids: Collection[int], to_incident: int) -> None:
    if mention_ids:
        conn.execute(
            update(mentions).where(mentions.c.id.in_(list(mention_ids))).values(incident_id=to_incident)
        )


def aggregate_from_mentions(conn: Connection, incident_id: int, threshold: float) -> dict[str, Any]:
    """mention_count, negative_count, reach, max_p_negative and the loudest mention, from the mentions."""
    reach = (
        func.coalesce(mentions.c.followers, 0)
        + func.coalesce(mentions.c.likes, 0)
        + func.coalesce(mentions.c.reposts, 0)
    )
    row = conn.execute(
        select(
            func.count(),
            func.sum(case((mentions.c.p_negative >= threshold, 1), else_=0)),
            func.sum(reach),
            func.max(mentions.c.p_negative),
        ).where(mentions.c.incident_id == incident_id)
    ).one()
    top = conn.execute(
        select(mentions.c.id)
        .where(mentions.c.incident_id == incident_id)
        .order_by(reach.desc(), mentions.c.id)
        .limit(1)
    ).scalar()
    return {
        "mention_count": int(row[0] or 0),
        "negative_count": int(row[1] or 0),
        "reach": int(row[2] or 0),
        "max_p_negative": float(row[3] or 0.0),
        "top_mention_id": top,
    }


def merged_survivor(conn: Connection, brand: str, story_key: str, open_states: Collection[str]) -> int | None:
    """The open incident a merged (duplicate) incident of this story now lives in, following the chain."""
    row = conn.execute(
        select(incidents.c.merged_into)
        .where(
            incidents.c.brand == brand, incidents.c.story_key == story_key, incidents.c.state == "duplicate"
        )
        .order_by(incidents.c.id.desc())
        .limit(1)
    ).scalar()
    seen: set[int] = set()
    while row is not None and row not in seen:
        seen.add(row)
        target = conn.execute(
            select(incidents.c.state, incidents.c.merged_into).where(incidents.c.id == row)
        ).first()
        if target is None:
            return None
        if target.state in open_states:
            return int(row)
        row = target.merged_into if target.state == "duplicate" else None
    return None


def story_key_of(conn: Connection, mention_id: int) -> str:
    return str(conn.execute(select(mentions.c.story_key).where(mentions.c.id == mention_id)).scalar_one())


def open_ids_for_story(
    conn: Connection, brand: str, story_key: str, open_states: Collection[str]
) -> list[int]:
    """Every open incident of the brand under this story key, newest first (several when a shared
    headline template gave two stories one key)."""
    return list(
        conn.execute(
            select(incidents.c.id)
            .where(
                incidents.c.brand == brand,
                incidents.c.story_key == story_key,
                incidents.c.state.in_(open_states),
            )
            .order_by(incidents.c.id.desc())
        ).scalars()
    )
