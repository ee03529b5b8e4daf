"""Seed data for web tests: one user and token per role, a source, mentions and an open incident."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from monitor.context import Context
from monitor.crawl.pipeline import Score
from monitor.storage.schema import incidents, mentions, sources
from monitor.web.accounts import ROLES, add_user, create_token

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@dataclass
class Seeded:
    ctx: Context
    tokens: dict[str, str] = field(default_factory=dict)
    incident_id: int = 0


def fake_scorer() -> Any:
    def score(texts: Sequence[str]) -> list[Score]:
        return [
            Score(
                "negative" if "投诉" in t else "neutral",
                0.9 if "投诉" in t else 0.1,
                ("投诉",) if "投诉" in t else (),
            )
            for t in texts
        ]

    return score


def add_incident(
    engine: Engine,
    *,
    brand: str = "示例品牌",
    severity: str = "P1",
    title: str = "门店投诉发酵",
    opened_at: datetime = NOW,
    hours: float = 4.0,
) -> int:
    with engine.begin() as conn:
        incident_id = conn.execute(
            insert(incidents)
            .values(
                brand=brand,
                story_key=f"story-{title}",
                severity=severity,
                state="open",
                title=title,
                mention_count=1,
                negative_count=1,
                reach=1200,
                max_p_negative=0.93,
                crisis_terms=["投诉"],
                opened_at=opened_at,
                respond_by=opened_at + timedelta(hours=hours),
                updated_at=opened_at,
            )
            .returning(incidents.c.id)
        ).scalar_one()
        conn.execute(
            insert(mentions).values(
                brand=brand,
                dedup_key=f"k-{incident_id}",
                story_key=f"story-{title}",
                title=title,
                text="顾客投诉门店服务",
                url="https://example.com/post/1",
                published_at=opened_at,
                fetched_at=opened_at,
                label="negative",
                p_negative=0.93,
                risk_terms=["投诉"],
                incident_id=incident_id,
                policy_done=True,
            )
        )
    return int(incident_id)


def seed(data_dir: Path) -> Seeded:
    ctx = Context(config_path=None, data_dir=data_dir)
    engine = ctx.engine
    out = Seeded(ctx)
    for role in ROLES:
        add_user(engine, f"{role}1", role, PASSWORD, actor="test", now=NOW)
        out.tokens[role] = create_token(engine, f"{role}1", role=None, label="test", actor="test", now=NOW)
    with engine.begin() as conn:
        conn.execute(
            insert(sources).values(
                name="weibo-rss",
                kind="rss",
                url="https://example.com/feed",
                brands=["示例品牌"],
                next_check_at=NOW,
                consecutive_errors=2,
                last_error="timeout",
                created_at=NOW,
            )
        )
    out.incident_id = add_incident(engine)
    return out
