"""What a parsed source document looks like, whatever its format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ParsedItem:
    guid: str | None
    link: str | None
    title: str
    text: str
    author: str | None
    published_at: datetime  # tz-aware UTC, never in the future
    published_estimated: bool  # True when the source gave no usable date and fetch time was used
    followers: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None


@dataclass
class ParsedDocument:
    items: list[ParsedItem]
    warnings: list[str] = field(default_factory=list)
    title: str | None = None


@dataclass(frozen=True)
class JsonMapping:
    """Where the fields of a JSON source live, as dotted paths (``data.list``, ``user.followers_count``).

    ``items`` is the path to the list of posts ("" = the document itself is the list); every other path
    is relative to one post. A numeric segment indexes a list (``images.0.url``).
    """

    items: str = ""
    title: str | None = "title"  # defaults match monitor.config.JsonMapping
    text: str | None = "content"
    link: str | None = "url"
    guid: str | None = None
    published: str | None = None
    author: str | None = None
    followers: str | None = None
    likes: str | None = None
    reposts: str | None = None
    comments: str | None = None
