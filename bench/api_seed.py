"""Seed data for bench/api.py: a data directory with users, mentions, incidents and an audit log.

Split from bench/api.py so the load generator reads on its own; bench/api.py imports it from this
directory (it runs as a script, so ``bench/`` is first on ``sys.path``).
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHRASES = [
    "这款面霜采用天然植物成分，温和不刺激，适合干性和混合性肌肤日常使用。",
    "保温杯采用316不锈钢内胆，保温12小时，杯身轻巧，方便通勤携带。",
    "本店周年庆全场满300减50，活动时间以页面公示为准。",
    "全网第一的扫地机器人，国家级品质，效果最好。",
    "客服电话 13812345678，欢迎咨询。",
    "三天瘦十斤，无效退款，专家推荐。",
]
PASSWORD = "bench password 123"


def draft(rng: random.Random, chars: int = 2000) -> str:
    """The dense worst case: half of these sentences carry findings."""
    parts: list[str] = []
    while sum(map(len, parts)) < chars:
        parts.append(rng.choice(PHRASES))
    return "".join(parts)[:chars]


def typical_draft(rng: random.Random, chars: int = 2000, risky: float = 0.10) -> str:
    from check_speed import CLEAN, RISKY

    parts: list[str] = []
    while sum(map(len, parts)) < chars:
        parts.append(rng.choice(RISKY) if rng.random() < risky else rng.choice(CLEAN))
    return "".join(parts)[:chars]


def fill_audit_log(data_dir: Path, entries: int) -> None:
    """Real, chained entries of a typical check's size, in transactions of 1,000."""
    from datetime import UTC, datetime

    from monitor.audit.record import check_data
    from monitor.audit.store import append_prepared, prepare
    from monitor.context import Context
    from rules import check

    report = check(typical_draft(random.Random(9)))
    data = check_data(
        path="prefill.md",
        text_sha256=report.text_sha256,
        rule_versions=report.rule_versions,
        findings=[f.to_dict() for f in report.findings],
    )
    ctx = Context(config_path=None, data_dir=data_dir)
    now = datetime.now(UTC)
    for start in range(0, entries, 1000):
        batch = [
            prepare(actor="bench", kind="check", subject=f"prefill-{i}", data=data, now=now)
            for i in range(start, min(entries, start + 1000))
        ]
        with ctx.engine.begin() as conn:
            append_prepared(conn, batch)
    ctx.close()


def seed(data_dir: Path, mentions_n: int) -> str:
    from sqlalchemy import insert

    from monitor.context import Context
    from monitor.storage.schema import incidents, mentions
    from monitor.web import accounts as users

    ctx = Context(config_path=None, data_dir=data_dir)
    now = datetime.now(UTC)
    users.add_user(ctx.engine, "bench", "admin", PASSWORD, actor="bench", now=now)
    token = users.create_token(ctx.engine, "bench", role=None, label="bench", actor="bench", now=now)
    rng = random.Random(7)
    with ctx.engine.begin() as conn:
        ids = []
        for i in range(300):
            opened = now - timedelta(minutes=rng.randint(0, 600))
            ids.append(
                conn.execute(
                    insert(incidents)
                    .values(
                        brand=f"品牌{i % 5}",
                        story_key=f"s{i}",
                        severity=rng.choice(["P1", "P2", "P3"]),
                        state=rng.choice(["open", "acknowledged", "resolved"]),
                        title=f"事件 {i} 门店投诉",
                        mention_count=3,
                        negative_count=2,
                        reach=rng.randint(0, 10**6),
                        max_p_negative=0.9,
                        crisis_terms=["投诉"],
                        opened_at=opened,
                        respond_by=opened + timedelta(hours=4),
                        updated_at=now,
                    )
                    .returning(incidents.c.id)
                ).scalar_one()
            )
        batch = []
        for i in range(mentions_n):
            published = now - timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            batch.append(
                {
                    "brand": f"品牌{i % 5}",
                    "dedup_key": f"k{i}",
                    "story_key": f"s{i % 3000}",
                    "title": f"提及 {i}",
                    "text": rng.choice(PHRASES),
                    "published_at": published,
                    "fetched_at": published,
                    "label": rng.choice(["negative", "neutral", "positive"]),
                    "p_negative": rng.random(),
                    "risk_terms": [],
                    "incident_id": ids[i % len(ids)] if i % 10 == 0 else None,
                    "policy_done": True,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(mentions), batch)
                batch = []
        if batch:
            conn.execute(insert(mentions), batch)
    ctx.close()
    return token
