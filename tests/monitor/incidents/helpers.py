"""Builders shared by the alert integration tests: a config, mentions, a recording transport."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from monitor.config import Config
from monitor.storage.schema import mentions

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai, a Monday


def make_config(
    alerts: dict[str, Any] | None = None,
    *,
    channels: list[dict[str, Any]] | None = None,
    routes: list[dict[str, Any]] | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    data: dict[str, Any] = {
        # The fake bots listen on loopback: allowed like an intranet endpoint (the channel address guard).
        "daemon": {"allow_networks": ["127.0.0.0/8"]},
        # Most tests give every story the same headline; fuzzy story matching is tested on its own.
        "alerts": {"story_window_minutes": 0, **(alerts or {})},
        "channels": channels
        if channels is not None
        else [
            {"name": "pr", "kind": "webhook", "url": "http://hooks.test/pr"},
            {"name": "lead", "kind": "webhook", "url": "http://hooks.test/lead"},
        ],
        "routes": routes
        if routes is not None
        else [
            {"brands": ["*"], "channels": ["pr"], "escalate_to": ["lead"]},
        ],
    }
    return Config.model_validate(data, context={"environ": environ or {}})


_counter = iter(range(1, 10**9))


def add_mention(
    engine: Engine,
    *,
    brand: str = "星巴克",
    story: str = "s1",
    p_negative: float | None = 0.9,
    risk_terms: list[str] | None = None,
    followers: int | None = None,
    likes: int | None = None,
    reposts: int | None = None,
    baseline: bool = False,
    now: datetime = T0,
    title: str = "星巴克门店被曝使用过期食材",
    url: str | None = "https://weibo.test/1",
) -> int:
    n = next(_counter)
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(mentions)
                .values(
                    brand=brand,
                    dedup_key=f"k{n}",
                    story_key=story,
                    title=title,
                    text=title,
                    url=url,
                    published_at=now,
                    fetched_at=now,
                    followers=followers,
                    likes=likes,
                    reposts=reposts,
                    label="negative" if (p_negative or 0) >= 0.5 else "neutral",
                    p_negative=p_negative,
                    risk_terms=risk_terms or [],
                    baseline=baseline,
                    policy_done=False,
                )
                .returning(mentions.c.id)
            ).scalar_one()
        )


class Recorder:
    """httpx MockTransport handler that records requests and answers from a script."""

    def __init__(self, answers: list[httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answers = answers or []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answers:
            return self.answers.pop(0)
        return httpx.Response(200, json={"ok": True})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]
