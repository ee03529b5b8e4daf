"""Benchmark the alert path.

    .venv/bin/python bench/alert_latency.py              # SQLite in a temp dir
    .venv/bin/python bench/alert_latency.py --url postgresql://postgres@127.0.0.1/DB   # empty, disposable

1. Latency from a stored negative mention to the message received by a loopback webhook: each round
   stores one mention, then runs what the daemon's ticks run (policy, outbox delivery) and takes the
   time the receiver got the request. Tick *intervals* are not included: they are configuration.
2. A deadline tick over 10,000 open incidents (each with its five clock events): nothing due (the
   common case), 1% due (a busy minute), and every incident due at once (worst case, 10,000 messages).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, bench/ comes first on sys.path; import from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from monitor import incidents  # noqa: E402
from monitor.config import Config  # noqa: E402
from monitor.incidents import deliver_due  # noqa: E402
from monitor.storage.engine import open_database  # noqa: E402
from monitor.storage.schema import deadline_events, mentions  # noqa: E402
from monitor.storage.schema import incidents as incidents_t  # noqa: E402

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ARRIVALS: list[float] = []


class _Receiver(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ARRIVALS.append(time.perf_counter())
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


def _config(url: str) -> Config:
    return Config.model_validate(
        {
            "alerts": {"escalate_after_minutes": 30, "story_window_minutes": 0},
            "channels": [{"name": "hook", "kind": "webhook", "url": url, "rate_per_minute": 100000}],
            "routes": [{"channels": ["hook"]}],
        },
        context={"environ": {}},
    )


def bench_latency(engine: Engine, rounds: int) -> dict[str, float]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    cfg = _config(f"http://127.0.0.1:{server.server_address[1]}/hook")
    latencies = []
    try:
        for i in range(rounds):
            now = T0 + timedelta(seconds=i)
            ARRIVALS.clear()
            start = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(
                    insert(mentions).values(
                        brand="星巴克",
                        dedup_key=f"lat{i}",
                        story_key=f"story{i}",
                        title="门店被曝使用过期食材",
                        text="门店被曝使用过期食材",
                        url=f"https://weibo.test/{i}",
                        published_at=now,
                        fetched_at=now,
                        label="negative",
                        p_negative=0.93,
                        risk_terms=["曝光"],
                        followers=5000,
                    )
                )
            incidents.process_pending_mentions(engine, cfg, now)
            deliver_due(engine, cfg, now)
            if len(ARRIVALS) != 1:
                raise SystemExit(f"round {i}: expected one message, got {len(ARRIVALS)}")
            latencies.append(ARRIVALS[0] - start)
    finally:
        server.shutdown()
        server.server_close()
    latencies.sort()
    return {
        "rounds": rounds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "max_ms": latencies[-1] * 1000,
    }


def load_open_incidents(engine: Engine, n: int, due_share: float) -> None:
    """n open incidents opened at T0 (deadline T0+4h); ``due_share`` of them have their T-2h reminder
    moved to T0 + 1 min so a tick at T0 + 2 min finds exactly that many due."""
    due_every = int(1 / due_share) if due_share > 0 else 0
    with engine.begin() as conn:
        conn.execute(
            insert(incidents_t),
            [
                {
                    "id": i,
                    "brand": "B",
                    "story_key": f"k{i}",
                    "severity": "P2",
                    "state": "open",
                    "title": f"t{i}",
                    "mention_count": 1,
                    "negative_count": 1,
                    "reach": 100,
                    "max_p_negative": 0.9,
                    "crisis_terms": [],
                    "opened_at": T0,
                    "respond_by": T0 + timedelta(hours=4),
                    "highest_notified_severity": "P2",
                    "updated_at": T0,
                }
                for i in range(1, n + 1)
            ],
        )
        rows = []
        for i in range(1, n + 1):
            reminder_due = (
                T0 + timedelta(minutes=1) if due_every and i % due_every == 0 else T0 + timedelta(hours=2)
            )
            rows += [
                {"incident_id": i, "kind": "reminder:-120", "due_at": reminder_due, "skipped": False},
                {
                    "incident_id": i,
                    "kind": "reminder:-60",
                    "due_at": T0 + timedelta(hours=3),
                    "skipped": False,
                },
                {
                    "incident_id": i,
                    "kind": "reminder:-30",
                    "due_at": T0 + timedelta(hours=3, minutes=30),
                    "skipped": False,
                },
                {"incident_id": i, "kind": "escalation", "due_at": T0 + timedelta(hours=1), "skipped": False},
                {"incident_id": i, "kind": "breach", "due_at": T0 + timedelta(hours=4), "skipped": False},
            ]
        conn.execute(insert(deadline_events), rows)


def bench_tick(make_engine: Any, n: int) -> list[tuple[str, int, float]]:
    results = []
    cfg = _config("http://127.0.0.1:9/unused")
    for label, share, when in (
        ("nothing due", 0.0, T0 + timedelta(minutes=2)),
        ("1% due", 0.01, T0 + timedelta(minutes=2)),
        ("all due at once", 1.0, T0 + timedelta(minutes=2)),
    ):
        engine = make_engine()
        try:
            load_open_incidents(engine, n, share)
            start = time.perf_counter()
            fired = incidents.tick_deadlines(engine, cfg, when)
            elapsed = time.perf_counter() - start
            again = time.perf_counter()
            incidents.tick_deadlines(engine, cfg, when)  # the next tick: nothing left
            results.append((label, fired, elapsed))
            results.append((f"{label}, next tick", 0, time.perf_counter() - again))
        finally:
            engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file per run)")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--incidents", type=int, default=10_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    counter = iter(range(1000))

    def make_engine() -> Engine:
        if args.url:
            from sqlalchemy import MetaData

            engine = open_database(args.url)
            with engine.begin() as conn:
                meta = MetaData()
                meta.reflect(conn)
                for table in reversed(meta.sorted_tables):
                    if table.name not in ("alembic_version",):
                        conn.execute(table.delete())
            return engine
        return open_database(f"sqlite:///{tmp / f'bench{next(counter)}.db'}")

    engine = make_engine()
    lat = bench_latency(engine, args.rounds)
    engine.dispose()
    print(
        f"mention stored -> webhook received ({lat['rounds']} rounds): p50 {lat['p50_ms']:.1f} ms, "
        f"p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.1f} ms (target p99 < 2000 ms)"
    )
    for label, fired, elapsed in bench_tick(make_engine, args.incidents):
        print(
            f"deadline tick, {args.incidents:,} open incidents, {label}: {elapsed * 1000:.0f} ms "
            f"({fired} messages queued)"
        )


if __name__ == "__main__":
    main()
