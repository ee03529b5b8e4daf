"""HTTP API and console figures (issue 7), on loopback against a real `brandguard serve` process.

    .venv/bin/python bench/api.py [--workers 2] [--requests 6000] [--concurrency 50] [--mentions 100000]
                                  [--audit-entries 0]

1. POST /api/v1/check with 2,000-character drafts from 50 concurrent clients; every request also appends
   its audit entry, as in production. Target: p99 < 50 ms.
2. GET /incidents (the board) with 100,000 mentions and 300 incidents stored. Target: < 200 ms.

Two kinds of draft, both 2,000 characters:
* typical: sentences drawn like bench/check_speed.py's corpus, with 10% of them risky (~17 findings);
* dense: the worst case we know, half the sentences risky (~80 findings; findings drive the cost of a
  check, of its audit entry and of the ~50 KB answer).

Load shapes: 1 client in a loop (service time); 50 clients in a closed loop, each sending again as soon
as it has its answer (the issue's wording), driven by ApacheBench (`ab -k`, C, little CPU; a Python
client on the same two cores would cost as much CPU as the server); an open loop at `--rate` requests/s
(latency counted from the scheduled start). `--workers` is `brandguard serve --workers` (default: one per
core). `--audit-entries N` first fills the log with N entries, to see what a grown log costs.
SQLite in a temporary directory; nothing is kept.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api_seed import draft, fill_audit_log, seed, typical_draft  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def load(
    base: str, token: str, requests: int, concurrency: int, make: Callable[[random.Random], str] = draft
) -> tuple[list[float], int]:
    """Closed loop: ``concurrency`` clients, each sending its next request when the previous one ends."""
    import httpx

    rng = random.Random(1)
    bodies = [{"text": make(rng), "path": f"bench-{i}"} for i in range(50)]
    latencies: list[float] = []
    errors = 0
    remaining = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal errors
            for i in remaining:
                start = time.perf_counter()
                try:
                    response = await client.post("/api/v1/check", json=bodies[i % len(bodies)])
                except httpx.TransportError:
                    errors += 1  # counted and reported, not hidden
                    continue
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"status {response.status_code}: {response.text[:200]}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


async def open_loop(
    base: str,
    token: str,
    rate: float,
    seconds: float,
    clients: int,
    make: Callable[[random.Random], str] = draft,
) -> tuple[list[float], int]:
    """Open loop: requests start on a fixed schedule (``rate`` per second) whatever the server does;
    latency counts from the scheduled start, so a stalled server cannot hide its queue."""
    import httpx

    rng = random.Random(2)
    bodies = [{"text": make(rng), "path": f"bench-{i}"} for i in range(50)]
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        loop = asyncio.get_running_loop()
        t0 = loop.time()

        async def one(i: int) -> None:
            nonlocal errors
            scheduled = t0 + i / rate
            await asyncio.sleep(max(0.0, scheduled - loop.time()))
            try:
                response = await client.post("/api/v1/check", json=bodies[i % len(bodies)])
            except httpx.TransportError:
                errors += 1
                return
            latencies.append(loop.time() - scheduled)
            if response.status_code != 200:
                raise SystemExit(f"status {response.status_code}: {response.text[:200]}")

        await asyncio.gather(*(one(i) for i in range(int(rate * seconds))))
    return latencies, errors


def board(base: str, token: str, runs: int) -> list[float]:
    import httpx

    times = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        client.get("/incidents")  # warm-up: templates compiled, connection pool filled
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get("/incidents")
            times.append(time.perf_counter() - start)
            assert response.status_code == 200 and "事件看板" in response.text
    return times


def ab_closed_loop(
    base: str, token: str, requests: int, concurrency: int, body_path: Path, label: str
) -> str | None:
    """The same closed loop driven by ApacheBench (C, ~no CPU): Python's httpx client on the same 2 cores
    costs as much CPU as the server and adds its own unfair queueing, which inflated our p99 ~7x."""
    ab = shutil.which("ab")
    if ab is None:
        return None
    command = [
        ab,
        "-n",
        str(requests),
        "-c",
        str(concurrency),
        "-k",
        "-H",
        f"Authorization: Bearer {token}",
        "-T",
        "application/json",
        "-p",
        str(body_path),
        f"{base}/api/v1/check",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests per second:\s+([\d.]+)", out)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    pct = dict(re.findall(r"^\s+(\d+)%\s+(\d+)", out, flags=re.M))
    return (
        f"POST /api/v1/check 2,000 chars {label}, {concurrency} concurrent (ab -k), {requests} requests: "
        f"p50 {pct.get('50')} ms, p95 {pct.get('95')} ms, p99 {pct.get('99')} ms, max {pct.get('100')} ms, "
        f"{float(rps.group(1)) if rps else 0:.0f} req/s, {failed.group(1) if failed else '?'} failed, "
        f"{non2xx.group(1) if non2xx else 0} non-2xx"
    )


def _summary(label: str, latencies: list[float], wall: float, errors: int) -> str:
    ms = [x * 1000 for x in latencies]
    return (
        f"{label}: p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
        f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms, {len(ms) / wall:.0f} req/s, "
        f"{errors} transport errors"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=6000, help="closed-loop requests per draft kind")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--audit-entries", type=int, default=0, help="fill the log with this many first")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--rate", type=float, default=200.0, help="offered requests/s for the open loop")
    args = parser.parse_args()
    import httpx

    kinds: dict[str, Callable[[random.Random], str]] = {"typical": typical_draft, "dense": draft}
    with tempfile.TemporaryDirectory(prefix="bg-bench-api-") as tmp:
        t0 = time.perf_counter()
        token = seed(Path(tmp), args.mentions)
        print(f"seeded {args.mentions:,} mentions + 300 incidents in {time.perf_counter() - t0:.1f} s")
        if args.audit_entries:
            t0 = time.perf_counter()
            fill_audit_log(Path(tmp), args.audit_entries)
            took = time.perf_counter() - t0
            print(f"filled the audit log with {args.audit_entries:,} entries in {took:.1f} s")
        env = {**os.environ, "BRANDGUARD_SECRET_KEY": "bench"}
        command = [
            sys.executable,
            "-m",
            "monitor",
            "--data-dir",
            tmp,
            "serve",
            "--port",
            str(args.port),
            "--insecure-cookies",
            "--workers",
            str(args.workers),
        ]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{args.port}"
        print(
            f"brandguard serve --workers {args.workers}; {os.cpu_count()} CPUs; "
            f"load average at start {os.getloadavg()[0]:.2f}"
        )
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)  # waiting for the server process to listen
            asyncio.run(load(base, token, 200, args.concurrency))  # warm-up: every worker has run checks
            for name, make in kinds.items():
                start = time.perf_counter()
                latencies, errors = asyncio.run(load(base, token, 200, 1, make))
                wall = time.perf_counter() - start
                print(
                    _summary(
                        f"POST /api/v1/check 2,000 chars {name}, 1 client, 200 requests",
                        latencies,
                        wall,
                        errors,
                    )
                )
                body_path = Path(tmp) / f"{name}.json"
                body = {"text": make(random.Random(1)), "path": f"bench-{name}.md"}
                body_path.write_text(json.dumps(body, ensure_ascii=False), "utf-8")
                line = ab_closed_loop(base, token, args.requests, args.concurrency, body_path, name)
                if line is None:  # no ab: the Python client, whose own CPU use inflates the tail
                    start = time.perf_counter()
                    latencies, errors = asyncio.run(load(base, token, args.requests, args.concurrency, make))
                    line = _summary(
                        f"POST /api/v1/check 2,000 chars {name}, {args.concurrency} concurrent "
                        "(httpx; install apache2-utils for ab)",
                        latencies,
                        time.perf_counter() - start,
                        errors,
                    )
                print(line)
            seconds = 20.0
            latencies, errors = asyncio.run(
                open_loop(base, token, args.rate, seconds, args.concurrency, typical_draft)
            )
            label = f"POST /api/v1/check 2,000 chars typical, open loop {args.rate:g} req/s for {seconds:g} s"
            print(_summary(label, latencies, seconds, errors))
            times = [x * 1000 for x in board(base, token, 20)]
            print(
                f"GET /incidents with {args.mentions:,} mentions: median {statistics.median(times):.1f} ms, "
                f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms"
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
        verify = subprocess.run(
            [sys.executable, "-m", "monitor", "--data-dir", tmp, "audit", "verify"],
            capture_output=True,
            text=True,
            env=env,
        )
        last = (verify.stdout.strip().splitlines() or [""])[-1]
        print(f"audit verify after the run: exit {verify.returncode}: {last}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
