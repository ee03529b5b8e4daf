"""Fetch and parse benchmark: parse cost per document kind, guard costs, loopback fetch throughput.

    .venv/bin/python bench/fetch_parse.py [--repeat 20]

Everything runs on loopback against tests/integration/misbehaving_server.py; no external network.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import feedparser

from monitor.errors import ParseError
from monitor.fetch import FetchPolicy, FetchResult, fetch, guarded_client
from monitor.parse import JsonMapping, parse_document
from tests.integration.misbehaving_server import gzip_zeros, misbehaving_server, static

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
POLICY = FetchPolicy(allow_networks=("127.0.0.0/8",), deadline_s=10.0)


def rss_200(encoding: str = "utf-8") -> str:
    paragraph = "某品牌新品发布会今日举行，消费者反响热烈，也有网友投诉售后服务响应慢。" * 8
    items = "".join(
        f"<item><guid isPermaLink='false'>post-{i}</guid><title>品牌动态第{i}期：新品与服务</title>"
        f"<link>https://news.example.cn/a/{i}</link><author>记者{i % 7}</author>"
        f"<description><![CDATA[<p>{paragraph}</p><p>第二段 {i}</p>]]></description>"
        f"<pubDate>Tue, 10 Jun 2025 {i % 24:02d}:{i % 60:02d}:00 CST</pubDate></item>"
        for i in range(200)
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>新闻</title>'
        f"{items}</channel></rss>"
    )


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median wall ms, median CPU ms): CPU time is the figure to trust on a shared, busy machine."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def bench_parse(repeat: int) -> list[tuple[str, str]]:
    rows = []
    utf8 = rss_200().encode()
    gbk = rss_200("utf-8").encode("gb18030")  # mislabelled: declared UTF-8, bytes GB18030
    html = (
        "<html><head><meta charset='utf-8'><title>T</title>"
        "<meta property='article:published_time' content='2025-06-10T08:00:00+08:00'></head>"
        "<body><nav>n</nav><article>" + "<p>正文段落，品牌相关内容。</p>" * 400 + "</article></body></html>"
    ).encode()
    posts = [
        {
            "id": i,
            "text": "内容" * 50,
            "ts": 1749542400 + i,
            "user": {"name": "u", "fans": "1.2万"},
            "likes": i,
        }
        for i in range(200)
    ]
    js = json.dumps({"data": posts}, ensure_ascii=False).encode()
    mapping = JsonMapping(
        items="data",
        title=None,
        text="text",
        guid="id",
        published="ts",
        author="user.name",
        followers="user.fans",
        likes="likes",
    )
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "'
        + "x" * 40_000
        + '">]><rss><channel><item><title>'
        + "&e;" * 2000
        + "</title></item></channel></rss>"
    ).encode()

    def refuse_bomb() -> None:
        try:
            parse_document("rss", bomb, {}, url="u", now=NOW)
        except ParseError:
            return
        raise AssertionError("entity bomb was parsed")

    cases: list[tuple[str, int, Callable[[], object]]] = [
        ("feedparser.parse alone (baseline)", len(utf8), lambda: feedparser.parse(utf8)),
        ("parse rss, 200 items", len(utf8), lambda: parse_document("rss", utf8, {}, url="u", now=NOW)),
        (
            "parse rss, 200 items, GBK labelled UTF-8",
            len(gbk),
            lambda: parse_document("rss", gbk, {"content-type": "text/xml; charset=utf-8"}, url="u", now=NOW),
        ),
        ("parse html page", len(html), lambda: parse_document("html", html, {}, url="u", now=NOW)),
        (
            "parse json, 200 posts",
            len(js),
            lambda: parse_document("json", js, {}, url="u", mapping=mapping, now=NOW),
        ),
        ("refuse entity blow-up", len(bomb), refuse_bomb),
    ]
    for name, size, fn in cases:
        wall, cpu = timed(fn, repeat)
        rows.append((f"{name} ({size // 1024} KB)", f"median {cpu:.2f} ms CPU ({wall:.2f} ms wall)"))
    return rows


async def bench_fetch(base: str) -> list[tuple[str, str]]:
    rows = []
    n = 200
    started = time.perf_counter()
    for _ in range(n):
        r = await fetch(f"{base}/feed", policy=POLICY, now=NOW)
        assert r.status == "ok", r.error
    rows.append(
        (f"fetch 200 KB feed sequentially x{n}", f"{n / (time.perf_counter() - started):.0f} fetches/s")
    )
    started = time.perf_counter()
    results = await asyncio.gather(*(fetch(f"{base}/feed", policy=POLICY, now=NOW) for _ in range(n)))
    failed = [r.error for r in results if r.status != "ok"]
    assert not failed, failed[:3]
    rows.append(
        (f"fetch 200 KB feed, {n} concurrent", f"{n / (time.perf_counter() - started):.0f} fetches/s")
    )
    async with guarded_client(POLICY) as client:
        started = time.perf_counter()
        for _ in range(n):
            r = await fetch(f"{base}/feed", policy=POLICY, client=client, now=NOW)
            assert r.status == "ok", r.error
        rate = n / (time.perf_counter() - started)
    rows.append((f"fetch 200 KB feed sequentially x{n}, one shared guarded_client", f"{rate:.0f} fetches/s"))

    async def one(path: str) -> tuple[FetchResult, float, int]:
        tracemalloc.start()
        started = time.perf_counter()
        result = await fetch(f"{base}{path}", policy=POLICY, now=NOW)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return result, elapsed, peak

    for path, label in [
        ("/gzip-bomb", "gzip bomb (100 MB decoded, 10 MB cap)"),
        ("/oversize-chunked", "20 MB chunked body (10 MB cap)"),
    ]:
        result, elapsed, peak = await one(path)
        assert result.status == "error"
        rows.append((f"refuse {label}", f"{elapsed * 1000:.0f} ms, peak Python memory {peak / 2**20:.1f} MB"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rows = bench_parse(args.repeat)
    gzip_zeros(100 * 1024 * 1024)  # build the bomb before measuring memory (the server thread holds it)
    with misbehaving_server({"/feed": static(rss_200().encode())}) as server:
        rows += asyncio.run(bench_fetch(server.base_url))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
