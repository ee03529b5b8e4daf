"""A loopback HTTP server that serves the demo feeds as they stand at the simulated time.

Each feed shows the newest posts published at or before ``clock.now`` (the demo steps the clock), in
its own format: RSS 2.0, Atom, a JSON API, or an HTML list page. It answers conditional GETs like a
well-behaved site (ETag / If-None-Match -> 304), so the daemon's validators are exercised too.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

from monitor.demo.dataset import Dataset, Feed, Post

FEED_SIZE = 40  # like real feeds, only the newest items are listed
SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


@dataclass
class SimClock:
    start: datetime
    now: datetime


class FeedServer:
    def __init__(self, dataset: Dataset, clock: SimClock) -> None:
        self.dataset = dataset
        self.clock = clock
        self.requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-feeds", daemon=True)

    @property
    def base_url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def url_of(self, feed: Feed) -> str:
        ext = {"rss": "xml", "atom": "atom", "json": "json", "html": "html"}[feed.kind]
        return f"{self.base_url}/{feed.slug}.{ext}"

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def render(self, feed: Feed) -> bytes:
        start, now = self.clock.start, self.clock.now
        visible = [p for p in self.dataset.posts_of(feed.name) if p.published(start) <= now]
        visible = sorted(visible, key=lambda p: p.minute, reverse=True)[:FEED_SIZE]
        link = f"{self.base_url}/{feed.slug}"
        renderer = {"rss": _rss, "atom": _atom, "json": _json, "html": _html}[feed.kind]
        return renderer(feed, visible, start, now, link)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests += 1
                if self.path.startswith("/rsshub/"):
                    from monitor.demo.platform_feeds import platform_answer

                    clock = server.clock
                    answer = platform_answer(self.path, clock.start, clock.now, server.base_url)
                    if answer is None:
                        self.send_error(404)
                        return
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                    return
                slug = self.path.lstrip("/").split(".")[0]
                feed = next((f for f in server.dataset.feeds if f.slug == slug), None)
                if feed is None:
                    self.send_error(404)
                    return
                body = server.render(feed)
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPES[feed.kind])
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the demo tells its own story on stdout

        return Handler


def _post_link(base: str, post: Post) -> str:
    return f"{base}/{post.id}"


def _rss(feed: Feed, posts: list[Post], start: datetime, now: datetime, link: str) -> bytes:
    items = "".join(
        f"<item><title>{escape(p.title)}</title><link>{_post_link(link, p)}</link>"
        f'<guid isPermaLink="false">{feed.slug}-{p.id}</guid>'
        f"<pubDate>{format_datetime(p.published(start).astimezone(SHANGHAI))}</pubDate>"
        f"<author>{escape(p.author)}</author><description>{escape(p.text)}</description></item>"
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(feed.title)}</title><link>{link}</link><description>{escape(feed.title)}</description>"
        f"<lastBuildDate>{format_datetime(now.astimezone(SHANGHAI))}</lastBuildDate>{items}</channel></rss>"
    ).encode()


def _atom(feed: Feed, posts: list[Post], start: datetime, now: datetime, link: str) -> bytes:
    entries = "".join(
        f'<entry><title>{escape(p.title)}</title><link href="{_post_link(link, p)}"/>'
        f"<id>tag:demo.brandguard,2026:{feed.slug}/{p.id}</id>"
        f"<published>{p.published(start).astimezone(SHANGHAI).isoformat()}</published>"
        f"<updated>{p.published(start).astimezone(SHANGHAI).isoformat()}</updated>"
        f"<author><name>{escape(p.author)}</name></author>"
        f'<content type="text">{escape(p.text)}</content></entry>'
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(feed.title)}</title><id>tag:demo.brandguard,2026:{feed.slug}</id>"
        f'<updated>{now.astimezone(SHANGHAI).isoformat()}</updated><link href="{link}"/>{entries}</feed>'
    ).encode()


def _json(feed: Feed, posts: list[Post], start: datetime, now: datetime, link: str) -> bytes:
    data = {
        "code": 0,
        "data": {
            "list": [
                {
                    "id": f"{feed.slug}-{p.id}",
                    "title": p.title,
                    "content": p.text,
                    "url": _post_link(link, p),
                    "ctime": p.published(start).astimezone(SHANGHAI).isoformat(),
                    "user": {"name": p.author, "fans": p.followers},
                    "likes": p.likes,
                    "shares": p.reposts,
                }
                for p in posts
            ]
        },
    }
    return json.dumps(data, ensure_ascii=False).encode()


def _html(feed: Feed, posts: list[Post], start: datetime, now: datetime, link: str) -> bytes:
    """A forum's "top post" page: one article (HTML sources are single pages), canonical link per post."""
    if not posts:
        return (
            f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(feed.title)}</title>"
            "</head><body><main><p>暂无帖子</p></main></body></html>"
        ).encode()
    p = posts[0]
    published = p.published(start).astimezone(SHANGHAI)
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(p.title)}</title>'
        f'<link rel="canonical" href="{_post_link(link, p)}">'
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        f'<meta name="author" content="{escape(p.author)}"></head><body>'
        f"<header><nav>{escape(feed.title)} · 首页 · 美妆版</nav></header>"
        f"<article><h1>{escape(p.title)}</h1><p>{escape(p.text)}</p></article>"
        "<footer>悦己论坛（虚构演示站点）</footer></body></html>"
    ).encode()


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)
