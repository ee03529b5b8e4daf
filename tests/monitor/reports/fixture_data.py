"""A small hand-checked data set for briefs: two brands (甲品牌 own, 乙品牌 competitor), a week with empty
days, mentions on both sides of local midnight (Asia/Shanghai = UTC+8), two incidents and blind windows.

Weekly brief for 2026-11-23 (Mon) .. 2026-11-29 (Sun) local, i.e. 2026-11-22T16:00Z .. 2026-11-29T16:00Z;
the previous week is 2026-11-16 .. 2026-11-22 local. The expected figures are in test_brief_numbers.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from monitor.config import Config, config_from_dict
from monitor.storage.schema import incidents, mentions, source_outages, sources

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def config() -> Config:
    return config_from_dict(
        {
            "brands": [
                {"name": "甲品牌", "query": "甲品牌"},
                {"name": "乙品牌", "query": "乙品牌", "role": "competitor"},
            ],
        }
    )


MENTIONS: list[dict[str, Any]] = [
    # current week, 甲品牌
    {
        "brand": "甲品牌",
        "published_at": t("2026-11-22T16:00:00"),
        "label": "negative",
        "story_key": "s1",
        "title": "甲品牌 电池起火 投诉",
        "author": "大V",
        "followers": 100_000,
        "likes": 50,
        "reposts": 20,
        "url": "https://weibo.com/1/a",
        "source": "feed-a",
    },
    {
        "brand": "甲品牌",
        "published_at": t("2026-11-23T03:00:00"),
        "label": "neutral",
        "story_key": "s1",
        "title": "甲品牌 电池起火 视频",
        "author": "小号",
        "followers": 10,
        "url": "https://m.weibo.cn/2",
        "source": "feed-a",
    },
    {
        "brand": "甲品牌",
        "published_at": t("2026-11-25T10:00:00"),
        "label": "positive",
        "story_key": "s2",
        "title": "甲品牌 新品 评测",
        "author": "知友",
        "followers": 500,
        "likes": 10,
        "url": "https://www.zhihu.com/q/3",
        "source": "feed-b",
    },
    {
        "brand": "甲品牌",
        "published_at": t("2026-11-29T15:30:00"),
        "label": "negative",
        "story_key": "s3",
        "title": "甲品牌 客服 态度",
        "url": "https://www.xiaohongshu.com/4",
    },
    # just outside: local 2026-11-30 00:00 belongs to the next week
    {
        "brand": "甲品牌",
        "published_at": t("2026-11-29T16:00:00"),
        "label": "negative",
        "story_key": "s9",
        "title": "甲品牌 下周",
        "url": "https://weibo.com/9",
    },
    # previous week, 甲品牌: local 2026-11-22 23:59:59 and 2026-11-17 10:00
    {
        "brand": "甲品牌",
        "published_at": t("2026-11-22T15:59:59"),
        "label": "positive",
        "story_key": "p1",
        "title": "甲品牌 新品 发布",
        "url": "https://weibo.com/p1",
    },
    {
        "brand": "甲品牌",
        "published_at": t("2026-11-17T02:00:00"),
        "label": "negative",
        "story_key": "p2",
        "title": "甲品牌 物流 慢",
        "url": "https://weibo.com/p2",
    },
    # competitor: 4 this week (2 on 11-24, 2 on 11-26), 2 the week before
    *(
        {
            "brand": "乙品牌",
            "published_at": t(ts),
            "label": "neutral",
            "story_key": f"c{i}",
            "title": f"乙品牌 {i}",
            "url": "https://weibo.com/c",
        }
        for i, ts in enumerate(
            [
                "2026-11-24T01:00:00",
                "2026-11-24T05:00:00",
                "2026-11-26T01:00:00",
                "2026-11-26T09:00:00",
                "2026-11-18T01:00:00",
                "2026-11-19T01:00:00",
            ]
        )
    ),
]


def seed(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = {}
        for name, brands in (
            ("feed-a", ["甲品牌"]),
            ("feed-b", ["甲品牌", "乙品牌"]),
            ("feed-c", ["乙品牌"]),
        ):
            ids[name] = conn.execute(
                insert(sources)
                .values(
                    name=name,
                    kind="rss",
                    url=f"https://example.com/{name}",
                    brands=brands,
                    next_check_at=NOW,
                    created_at=t("2026-11-01T00:00:00"),
                )
                .returning(sources.c.id)
            ).scalar_one()
        for i, m in enumerate(MENTIONS):
            row = {k: v for k, v in m.items() if k != "source"}
            conn.execute(
                insert(mentions).values(
                    source_id=ids.get(m.get("source", "")),
                    dedup_key=f"k{i}",
                    fetched_at=row["published_at"],
                    text="",
                    **row,
                )
            )
        for opened, answered in (("2026-11-24T01:00:00", 2), ("2026-11-26T01:00:00", 5)):
            at = t(opened)
            conn.execute(
                insert(incidents).values(
                    brand="甲品牌",
                    story_key=f"i-{opened}",
                    severity="P2",
                    state="responded",
                    title=f"事件 {opened[:10]}",
                    opened_at=at,
                    respond_by=at + timedelta(hours=4),
                    responded_at=at + timedelta(hours=answered),
                    updated_at=at,
                )
            )
        outages = [
            ("feed-a", "blocked", "login required", "2026-11-24T00:00:00", "2026-11-25T00:00:00"),
            ("feed-a", "failing", "HTTP 503", "2026-11-24T12:00:00", "2026-11-25T12:00:00"),  # overlaps: 36 h
            ("feed-b", "throttled", None, "2026-11-29T04:00:00", None),  # still open: 12 h inside the week
            ("feed-a", "failing", "before", "2026-11-10T00:00:00", "2026-11-11T00:00:00"),  # outside
            ("feed-c", "blocked", "competitor only", "2026-11-24T00:00:00", None),  # not a source of 甲品牌
        ]
        for name, state, reason, began, ended in outages:
            conn.execute(
                insert(source_outages).values(
                    source_id=ids[name],
                    state=state,
                    reason=reason,
                    started_at=t(began),
                    ended_at=t(ended) if ended else None,
                )
            )
