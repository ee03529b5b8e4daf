"""Several daemons on one PostgreSQL database against a feed server that answers every request late.

    .venv/bin/python bench/fleet.py [--daemons 1 2 4] [--feeds 600] [--latency 0.5] [--concurrency 10]

The server waits ``--latency`` seconds before each answer, so the bottleneck is waiting on sites, not
these two cores: adding a daemon should add throughput. Each run uses a new database ``bg_bench_<random>``
on 127.0.0.1:5432 (dropped afterwards); every daemon is a process that syncs the config, waits for the
others, then polls until nothing is due. Reports total time for one pass over every feed and the fetches
each daemon did.

Run as ``python bench/fleet.py worker DB_URL CONFIG_JSON NOW`` it is one daemon.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BRAND = "云帆汽车"


def serve(port_queue: multiprocessing.Queue, latency: float) -> None:  # type: ignore[type-arg]
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            time.sleep(latency)
            n = self.path.strip("/").removesuffix(".xml")
            items = "".join(
                f"<item><guid>{n}-{i}</guid><title>{BRAND} 新闻 {n}-{i}</title></item>" for i in range(5)
            )
            body = (
                f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'
            )
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        # A class attribute: the backlog is fixed when the server is built (set afterwards, it stayed 5).
        request_queue_size = 512
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def worker(db_url: str, config_json: str, now_iso: str) -> None:
    from monitor.config import config_from_dict
    from monitor.crawl.daemon import Daemon
    from monitor.crawl.pipeline import Score
    from monitor.crawl.steps import RealSteps
    from monitor.storage.engine import open_database

    config = config_from_dict(json.loads(config_json))
    engine = open_database(db_url, migrate=False)
    steps = RealSteps(config, scorer=lambda texts: [Score("neutral", 0.1, ()) for _ in texts]).steps()
    daemon = Daemon(engine, config, steps)
    now = datetime.fromisoformat(now_iso)
    daemon.sync_sources(now)
    print("ready", flush=True)
    sys.stdin.readline()
    fetched = 0
    while True:
        report = daemon.poll_tick(now)
        if not report.results:
            break
        fetched += len(report.results)
    print(json.dumps({"worker": daemon.worker_id, "fetched": fetched, "done": time.time()}), flush=True)
    engine.dispose()


def run_fleet(daemons: int, feeds: int, base_url: str, concurrency: int) -> tuple[float, list[int]]:
    import psycopg

    name = f"bg_bench_{uuid.uuid4().hex[:10]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        from monitor.storage.engine import open_database

        open_database(db_url).dispose()  # migrate once, before the daemons start
        config = {
            "daemon": {
                "allow_networks": ["127.0.0.0/8"],
                "max_concurrency": concurrency,
                "per_host_concurrency": concurrency,
            },
            "brands": [{"name": BRAND, "query": BRAND}],
            "sources": [
                {"name": f"f{n}", "kind": "rss", "url": f"{base_url}/f{n}.xml", "interval": 900}
                for n in range(feeds)
            ],
        }
        now = datetime.now(UTC).isoformat()
        procs = [
            subprocess.Popen(
                [sys.executable, __file__, "worker", db_url, json.dumps(config), now],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(daemons)
        ]
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        started = time.time()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        reports = []
        for proc in procs:
            out, _ = proc.communicate(timeout=1800)
            reports += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        total = max(r["done"] for r in reports) - started
        counts = sorted((r["fetched"] for r in reports), reverse=True)
        assert sum(counts) == feeds, counts
        return total, counts
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--daemons", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--feeds", type=int, default=600)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds the server waits per request")
    parser.add_argument("--concurrency", type=int, default=10, help="max_concurrency of each daemon")
    parser.add_argument("--runs", type=int, default=3, help="runs per fleet size; the median is reported")
    args = parser.parse_args()

    ctx = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    server = ctx.Process(target=serve, args=(ports, args.latency), daemon=True)
    server.start()
    base_url = f"http://127.0.0.1:{ports.get(timeout=60)}"
    print(
        f"feeds={args.feeds} latency={args.latency}s per request, "
        f"max_concurrency={args.concurrency} per daemon, median of {args.runs} runs"
    )
    try:
        for n in args.daemons:
            runs = [run_fleet(n, args.feeds, base_url, args.concurrency) for _ in range(args.runs)]
            total = statistics.median(t for t, _ in runs)
            median_run = sorted(runs)[len(runs) // 2]
            print(
                f"daemons={n}: one pass {total:6.1f} s ({args.feeds / total:5.1f} fetches/s); "
                f"fetches per daemon {median_run[1]} (all runs: {[c for _, c in runs]})"
            )
    finally:
        server.terminate()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        raise SystemExit(main())
