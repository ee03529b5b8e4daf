"""Crawl benchmark: 1,000 feeds of 20 items on a loopback server, one poll of all of them.

    .venv/bin/python bench/crawl.py [--feeds 1000] [--items 20] [--parse process|thread] [--model]

Reports wall time of the first poll (everything new: fetch, parse, match, dedup, store) and of a second
poll (conditional GET -> 304), peak memory of the daemon process and of its parse workers, and the
time from the start of a source's fetch to the commit of its mentions (median / p95 / max),
and the CPU seconds each process spent on the first poll (steadier than wall time on a shared machine).
The feed server runs in its own process so it does not compete for the daemon's GIL.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BRANDS = ["星河手机", "青禾乳业", "云帆汽车", "木棉美妆"]
PHRASES = ["新品发布", "用户评价很好", "客服回复很慢", "价格有点贵", "包装升级", "门店开业", "体验不错"]


def feed_body(n: int, items: int, published: datetime) -> bytes:
    rng = random.Random(n)
    parts = []
    for i in range(items):
        brand = BRANDS[(n + i) % len(BRANDS)]
        text = f"{brand}{rng.choice(PHRASES)}，第{n}号源第{i}条，" + "这是一段用于测试的正文内容。" * 8
        when = format_datetime(published - timedelta(minutes=i))
        parts.append(
            f"<item><guid>feed{n}-item{i}</guid><title>{brand} {rng.choice(PHRASES)} {n}-{i}</title>"
            f"<link>http://news.example/{n}/{i}</link><pubDate>{when}</pubDate>"
            f"<description>{text}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>feed</title>'
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def serve(port_queue: multiprocessing.Queue, feeds: int, items: int) -> None:  # type: ignore[type-arg]
    published = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    bodies = {f"/feed{n}.xml": feed_body(n, items, published) for n in range(feeds)}
    etags = {path: '"' + hashlib.sha256(body).hexdigest()[:16] + '"' for path, body in bodies.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = bodies.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etags[self.path])
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        # The listen backlog is set when the server is built: a class attribute, not one set afterwards
        # (that left socketserver's 5, and connects beyond it waited out a 1 s SYN retransmit).
        request_queue_size = 1024
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def _peak_rss_mb(pid: int) -> float:
    """VmHWM: the peak resident set of a (still running) process, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a running process so far, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _poll_until_done(daemon: Any, now: datetime) -> Any:
    """Ticks as the daemon runs them (each claims for at most 30 s) until nothing is due at ``now``."""
    report = daemon.poll_tick(now)
    while True:
        more = daemon.poll_tick(now)
        if not more.results:
            return report
        report.results += more.results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--parse", choices=("process", "thread"), default="process")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--model", action="store_true", help="score with the shipped sentiment model")
    args = parser.parse_args()

    from monitor.config import config_from_dict
    from monitor.crawl.daemon import AlertTicks, Daemon
    from monitor.crawl.pipeline import Score
    from monitor.crawl.steps import RealSteps, default_parse_executor
    from monitor.incidents import process_pending_mentions, tick_deadlines
    from monitor.incidents.outbox import deliver_due
    from monitor.storage.engine import open_database
    from rules.normalize import enable_fast_fold

    ctx = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    server = ctx.Process(target=serve, args=(ports, args.feeds, args.items), daemon=True)
    server.start()
    port = ports.get(timeout=60)
    base = f"http://127.0.0.1:{port}"
    config = config_from_dict(
        {
            "daemon": {
                "allow_networks": ["127.0.0.0/8"],
                "max_concurrency": args.concurrency,
                "per_host_concurrency": args.concurrency,  # one loopback host stands in for many sites
            },
            "brands": [{"name": b, "query": b} for b in BRANDS],
            "sources": [
                {"name": f"feed{n}", "kind": "rss", "url": f"{base}/feed{n}.xml", "interval": 900}
                for n in range(args.feeds)
            ],
        }
    )
    executor = default_parse_executor() if args.parse == "process" else ThreadPoolExecutor(max_workers=2)
    scorer = None if args.model else (lambda texts: [Score(None, None, ()) for _ in texts])
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{tmp}/bench.db")
        steps = RealSteps(config, parse_executor=executor, scorer=scorer)
        # The poll tick hands new mentions to the alert policy, as in `brandguard run`.
        alerting = AlertTicks(policy=process_pending_mentions, deadlines=tick_deadlines, outbox=deliver_due)
        daemon = Daemon(engine, config, steps.steps(), rng=random.Random(1), alerting=alerting)
        now = datetime.now(UTC)
        daemon.sync_sources(now)
        enable_fast_fold()  # as `brandguard run` does
        if args.parse == "process":  # warm the pool: spawning interpreters is start-up, not crawling
            list(executor.map(abs, range(4)))

        workers = list(getattr(executor, "_processes", {}) or {})
        cpu_before = time.process_time(), sum(_cpu_s(pid) for pid in workers), _cpu_s(server.pid or 0)
        started = time.perf_counter()
        first = _poll_until_done(daemon, now)
        first_s = time.perf_counter() - started
        # CPU seconds per process: on a shared machine the wall time moves with the load, these much less.
        cpu_first = (
            time.process_time() - cpu_before[0],
            sum(_cpu_s(pid) for pid in workers) - cpu_before[1],
            _cpu_s(server.pid or 0) - cpu_before[2],
        )
        later = now + timedelta(seconds=900 + 61)
        started = time.perf_counter()
        second = _poll_until_done(daemon, later)
        second_s = time.perf_counter() - started
        engine.dispose()
    worker_mb = [_peak_rss_mb(pid) for pid in getattr(executor, "_processes", {}) or {}]
    executor.shutdown()
    server.terminate()

    latencies = sorted(r.fetch_to_store_s for r in first.results if r.fetch_to_store_s is not None)
    stored = sum(r.stored for r in first.results)
    outcomes: dict[str, int] = {}
    for r in first.results + second.results:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"feeds={args.feeds} items/feed={args.items} parse={args.parse} concurrency={args.concurrency} "
        f"model={'yes' if args.model else 'no'}"
    )
    print(f"first poll:  {first_s:6.1f} s  ({len(first.results)} sources, {stored} mentions stored)")
    print(
        f"first poll CPU: daemon {cpu_first[0]:.1f} s, parse workers {cpu_first[1]:.1f} s, "
        f"feed server {cpu_first[2]:.1f} s (load average {os.getloadavg()[0]:.1f})"
    )
    print(f"second poll: {second_s:6.1f} s  (conditional GET)")
    print(f"outcomes: {outcomes}")
    if latencies:
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(
            f"fetch -> stored: median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
            f"max {latencies[-1]:.2f} s"
        )
    workers = " + ".join(f"{mb:.0f}" for mb in worker_mb) or "none"
    total = self_mb + sum(worker_mb)
    print(f"peak RSS: daemon {self_mb:.0f} MB, parse workers {workers} MB, total {total:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
