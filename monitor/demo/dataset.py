"""The bundled demo data set: six fictitious feeds, four fictitious brands, one developing crisis."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "posts.json"


@dataclass(frozen=True)
class Post:
    id: str
    feed: str
    minute: int  # publication time relative to the demo's start
    author: str
    title: str
    text: str
    followers: int | None
    likes: int | None
    reposts: int | None

    def published(self, start: datetime) -> datetime:
        return start + timedelta(minutes=self.minute)


@dataclass(frozen=True)
class Feed:
    name: str
    kind: str
    title: str
    slug: str


@dataclass(frozen=True)
class Dataset:
    feeds: tuple[Feed, ...]
    posts: tuple[Post, ...]

    def posts_of(self, feed: str) -> list[Post]:
        return [p for p in self.posts if p.feed == feed]


@cache
def load_dataset() -> Dataset:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    feeds = tuple(
        Feed(name, spec["kind"], spec["title"], f"feed{i}")
        for i, (name, spec) in enumerate(raw["feeds"].items())
    )
    return Dataset(feeds, tuple(Post(**p) for p in raw["posts"]))
