"""Briefing benchmark: a weekly brief over 1,000,000 mentions of 10 brands, on SQLite and PostgreSQL,
and the time to first byte of the console's brief page.

    .venv/bin/python bench/reports.py [--mentions 1000000] [--runs 5] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

The data: 10 brands (品牌0 own, the other nine competitors), mentions spread evenly over 60 days before
NOW, ~2,000 stories and ~5,000 authors per brand, links on eight platforms, 60/25/15 neutral/positive/
negative, 300 incidents, a few blind windows. Two briefs are timed: "one brand" (品牌0 against nine
competitors: share of voice reads all ten brands, the other sections one) and "all ten brands" (every
section reads all ~117k mentions of the week and ~117k of the week before). Each is run once cold (first
call in the process: jieba/rjieba dictionary load, SQLAlchemy statement compilation) and then --runs
times warm; the median of the warm runs is what a daemon or the console pays. Warm runs clear the
keyword cache first (a period seen for the first time); "keywords cached" is a period briefed before.
Before timing, the script summarises the mentions into the briefing rollup (timed: on a database
made before the rollups existed this is the one-off build over every stored mention). PostgreSQL runs in a
scratch database bg_bench_<random>, dropped afterwards (--pg-keep NAME keeps and reuses one); --pg ''
skips it. --sqlite-file reuses a generated SQLite file between runs (it is created when missing);
--rebuild-rollup empties the rollup of a reused database so its build is timed again.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, text
from sqlalchemy.engine import Engine

from monitor.config import Config, config_from_dict
from monitor.reports import BriefRequest, build_brief, keyword_cache
from monitor.reports.rollup import refresh_rollup
from monitor.storage.engine import open_database
from monitor.storage.schema import (
    brief_rollup,
    brief_rollup_group,
    brief_rollup_mark,
    incidents,
    mentions,
    source_outages,
    sources,
)
from monitor.storage.transactions import read_transaction

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
BRANDS = [f"品牌{i}" for i in range(10)]
HOSTS = [
    "weibo.com",
    "www.zhihu.com",
    "www.xiaohongshu.com",
    "www.douyin.com",
    "www.bilibili.com",
    "mp.weixin.qq.com",
    "www.toutiao.com",
    "news.example.cn",
]
WORDS = [
    "新品",
    "发布",
    "质量",
    "投诉",
    "客服",
    "物流",
    "退款",
    "电池",
    "起火",
    "召回",
    "降价",
    "促销",
    "门店",
    "排队",
    "口味",
    "包装",
    "代言",
    "直播",
    "评测",
    "售后",
    "维权",
    "曝光",
    "好评",
    "体验",
]
LABELS = ["neutral"] * 12 + ["positive"] * 5 + ["negative"] * 3


def config() -> Config:
    return config_from_dict(
        {
            "brands": [
                {"name": b, "query": b, **({"role": "competitor"} if i else {})} for i, b in enumerate(BRANDS)
            ]
        }
    )


def generate(engine: Engine, n: int, seed: int = 16, brands: int = 10) -> None:
    rng = random.Random(seed)
    span = 60 * 86400
    with engine.begin() as conn:
        source_ids = [
            conn.execute(
                insert(sources)
                .values(
                    name=f"feed-{i}",
                    kind="rss",
                    url=f"https://example.com/{i}.xml",
                    brands=[BRANDS[i % brands]],
                    next_check_at=NOW,
                    created_at=NOW - timedelta(days=90),
                )
                .returning(sources.c.id)
            ).scalar_one()
            for i in range(40)
        ]
    batch: list[dict[str, object]] = []
    for i in range(n):
        b = i % brands
        published = NOW - timedelta(seconds=rng.randrange(span))
        title = "".join(rng.sample(WORDS, 3))
        batch.append(
            {
                "source_id": source_ids[rng.randrange(40)] if rng.random() < 0.7 else None,
                "brand": BRANDS[b],
                "dedup_key": f"k{i}",
                "story_key": f"s{b}-{rng.randrange(2000)}",
                "title": f"{BRANDS[b]}{title}",
                "text": f"网友反映{BRANDS[b]}{title}，" + "".join(rng.choices(WORDS, k=20)),
                "url": f"https://{HOSTS[rng.randrange(len(HOSTS))]}/p/{i}",
                "author": f"user{b}-{rng.randrange(5000)}",
                "published_at": published,
                "fetched_at": published,
                "followers": int(rng.lognormvariate(6, 2.5)),
                "likes": rng.randrange(200),
                "reposts": rng.randrange(50),
                "label": rng.choice(LABELS),
                "p_negative": rng.random(),
                "risk_terms": [],
                "baseline": False,
                "policy_done": True,
            }
        )
        if len(batch) == 20_000:
            with engine.begin() as conn:
                conn.execute(insert(mentions), batch)
            batch = []
    with engine.begin() as conn:
        if batch:
            conn.execute(insert(mentions), batch)
        for k in range(300):
            opened = NOW - timedelta(hours=rng.randrange(60 * 24))
            conn.execute(
                insert(incidents).values(
                    brand=BRANDS[k % brands],
                    story_key=f"s{k % brands}-{k}",
                    severity=rng.choice(["P1", "P2", "P3"]),
                    state="responded",
                    title=f"事件{k}",
                    opened_at=opened,
                    respond_by=opened + timedelta(hours=4),
                    responded_at=opened + timedelta(minutes=rng.randrange(400)),
                    updated_at=opened,
                )
            )
        for k in range(20):
            began = NOW - timedelta(hours=rng.randrange(30 * 24))
            conn.execute(
                insert(source_outages).values(
                    source_id=source_ids[k],
                    state="blocked",
                    reason="login required",
                    started_at=began,
                    ended_at=began + timedelta(hours=rng.randrange(1, 48)),
                )
            )
    analyse(engine, "mentions")


def analyse(engine: Engine, table: str) -> None:
    if engine.dialect.name == "postgresql":
        # What autovacuum does on a running system: statistics, and the visibility map that lets the
        # covering index answer without visiting the table (index-only scans).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM ANALYZE {table}"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def time_brief(
    engine: Engine, cfg: Config, brands: tuple[str, ...], runs: int, *, cached: bool = True
) -> tuple[float, list[float]]:
    def once() -> float:
        if not cached:
            keyword_cache.clear()
        start = time.perf_counter()
        with read_transaction(engine) as conn:
            build_brief(conn, cfg, BriefRequest("week", brands), now=NOW, zone=ZONE)
        return time.perf_counter() - start

    cold = once()
    return cold, [once() for _ in range(runs)]


def first_byte(engine_url: str, data_dir: Path, cfg_text: str, runs: int) -> list[float]:
    """Time to the first byte of GET /reports/brief (one brand) over loopback HTTP, logged in by token."""
    import os

    from monitor.context import Context
    from monitor.web.accounts import add_user, create_token
    from monitor.web.app import create_app
    from monitor.web.background import BackgroundServer

    (data_dir / "brandguard.toml").write_text(cfg_text, encoding="utf-8")
    os.environ["BRANDGUARD_DATABASE_URL"] = engine_url
    try:
        ctx = Context(config_path=data_dir / "brandguard.toml", data_dir=data_dir)
        name = f"bench{uuid.uuid4().hex[:6]}"
        add_user(ctx.engine, name, "pr", "bench password 123", actor="bench", now=NOW)
        token = create_token(ctx.engine, name, role=None, label="bench", actor="bench", now=NOW)
        server = BackgroundServer(
            create_app(ctx, secure_cookies=False, clock=lambda: NOW), host="127.0.0.1", port=0
        )
        server.start()
        deadline = time.monotonic() + 30
        while not (server._server and server._server.started) and time.monotonic() < deadline:
            time.sleep(0.05)  # uvicorn binds in its thread; wait until it accepts
        try:
            out = []
            for _ in range(runs + 1):
                c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                start = time.perf_counter()
                c.request(
                    "GET",
                    "/reports/brief?period=week",
                    headers={"Authorization": f"Bearer {token}", "Accept": "text/html"},
                )
                response = c.getresponse()
                out.append(time.perf_counter() - start)
                assert response.status == 200, response.status
                response.read()
                c.close()
            return out[1:]  # the first request pays for imports and the dictionary load
        finally:
            server.stop()
            ctx.close()
    finally:
        del os.environ["BRANDGUARD_DATABASE_URL"]


@contextmanager
def databases(pg: str, sqlite_file: str | None, pg_keep: str | None) -> Iterator[list[tuple[str, str, bool]]]:
    """(backend, url, needs data) for each database to measure."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(sqlite_file) if sqlite_file else Path(tmp) / "bench.db"
        urls = [("sqlite", f"sqlite:///{path}", not path.exists())]
        admin = None
        name = ""
        if pg:
            import psycopg

            admin = psycopg.connect(pg, autocommit=True)
            name = pg_keep or f"bg_bench_{uuid.uuid4().hex[:10]}"
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{name}"')
            urls.append(
                (
                    "postgres",
                    f"{pg.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+psycopg://", 1),
                    not exists,
                )
            )
        try:
            yield urls
        finally:
            if admin is not None:
                if not pg_keep:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite-file", help="reuse (or create) this SQLite file")
    parser.add_argument(
        "--pg-keep", metavar="NAME", help="reuse (or create) and keep this PostgreSQL database"
    )
    parser.add_argument("--no-page", action="store_true", help="skip the first-byte measurement")
    parser.add_argument(
        "--rebuild-rollup",
        action="store_true",
        help="empty the briefing rollup of a kept database first, to time its one-off build again",
    )
    args = parser.parse_args()
    cfg = config()
    cfg_text = "".join(
        f'[[brands]]\nname = "{b}"\nquery = "{b}"\n' + ('role = "competitor"\n' if i else "")
        for i, b in enumerate(BRANDS)
    )
    rows: list[tuple[str, str]] = []
    with databases(args.pg, args.sqlite_file, args.pg_keep) as urls:
        for backend, url, fresh in urls:
            engine = open_database(url)
            if fresh:
                start = time.perf_counter()
                generate(engine, args.mentions)
                rows.append(
                    (
                        f"{backend}: generate {args.mentions:,} mentions",
                        f"{time.perf_counter() - start:.0f} s",
                    )
                )
            if args.rebuild_rollup:
                with engine.begin() as conn:
                    for table in (brief_rollup, brief_rollup_group, brief_rollup_mark):
                        conn.execute(delete(table))
            start = time.perf_counter()
            moved = refresh_rollup(engine, NOW)
            rows.append(
                (
                    f"{backend}: summarise {moved:,} mention ids into the rollup",
                    f"{time.perf_counter() - start:.1f} s",
                )
            )
            analyse(engine, "brief_rollup")
            scenarios: list[tuple[str, tuple[str, ...]]] = [
                ("one brand + 9 competitors", ("品牌0",)),
                ("all ten brands", tuple(BRANDS)),
            ]
            for label, brands in scenarios:
                keyword_cache.clear()
                cold, warm = time_brief(engine, cfg, brands, args.runs, cached=False)
                rows.append((f"{backend}: weekly brief, {label}: cold", f"{cold:.2f} s"))
                rows.append(
                    (
                        f"{backend}: weekly brief, {label}: median of {args.runs} warm",
                        f"{statistics.median(warm):.2f} s (min {min(warm):.2f}, max {max(warm):.2f})",
                    )
                )
                _cold, hits = time_brief(engine, cfg, brands, args.runs, cached=True)
                rows.append(
                    (
                        f"{backend}: weekly brief, {label}: median of {args.runs}, keywords cached",
                        f"{statistics.median(hits):.2f} s (min {min(hits):.2f}, max {max(hits):.2f})",
                    )
                )
            if not args.no_page:
                with tempfile.TemporaryDirectory() as tmp:
                    ttfb = first_byte(url, Path(tmp), cfg_text, args.runs)
                rows.append(
                    (
                        f"{backend}: /reports/brief first byte, median of {args.runs}",
                        f"{statistics.median(ttfb):.2f} s (max {max(ttfb):.2f})",
                    )
                )
            engine.dispose()
            for name, value in rows:
                print(f"| {name} | {value} |", flush=True)
            rows = []


if __name__ == "__main__":
    main()
