"""Security figures (issue 11): what a hostile client or a worst-case draft costs, and verify with anchors.

    .venv/bin/python bench/security.py                  # everything, 3 runs each, medians printed
    .venv/bin/python bench/security.py --runs 5 --verify-entries 100000

1. Oversized anonymous body: a real `brandguard serve` process; a 300 MB POST to /api/v1/check without
   credentials, once declared (Content-Length) and once chunked. Reported: the status, the time to the
   answer, and the server's peak RSS (VmHWM) growth over its idle RSS.
2. Worst-case drafts in the CLI: `brandguard check --format json` on 1,000,000 characters of 最好的 and
   on one 5 MB line of dense ad copy: wall time, peak RSS of the child, output size.
3. The same 1,000,000-character draft through POST /api/v1/check with a token: time, answer size,
   server peak RSS growth, size of the audit entry written.
4. `audit verify` with the anchor file: a log of --verify-entries entries, a checkpoint every 1,000,
   all anchored; verify without and with the anchor file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BRANDGUARD = [sys.executable, "-m", "monitor"]
BIG = 300 * 1024 * 1024
KEY = "0123456789abcdef0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not found")


def reset_peak(pid: int) -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0), so each run has its own peak.
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class Server:
    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "BRANDGUARD_SECRET_KEY": "bench", "BRANDGUARD_AUDIT_KEY": KEY}
        self.proc = subprocess.Popen(
            [*BRANDGUARD, "--data-dir", str(data), "serve", "--port", str(self.port), "--insecure-cookies"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        for _ in range(400):
            try:
                httpx.get(f"{self.base}/healthz", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)  # waiting for the process to listen
        raise RuntimeError("server did not start")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


def oversized(server: Server, *, chunked: bool) -> tuple[int, float, float]:
    """(status, seconds to the answer, peak RSS growth MB)."""
    reset_peak(server.proc.pid)
    idle = rss_kb(server.proc.pid, "VmRSS")

    def body() -> Iterator[bytes]:
        chunk = b"x" * (1024 * 1024)
        for _ in range(BIG // len(chunk)):
            yield chunk

    start = time.perf_counter()
    try:
        if chunked:
            status = httpx.post(f"{server.base}/api/v1/check", content=body(), timeout=60).status_code
        else:
            status = raw_declared(server.port)
    except httpx.TransportError:
        status = -1
    took = time.perf_counter() - start
    return status, took, (rss_kb(server.proc.pid, "VmHWM") - idle) / 1024


def raw_declared(port: int) -> int:
    """Send the headers of a 300 MB body, then the body as fast as the server takes it; the status."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"POST /api/v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {BIG}\r\n\r\n".encode()
        )
        sock.settimeout(5)
        chunk = b"x" * (1024 * 1024)
        sent = 0
        answer = b""
        while sent < BIG:
            try:
                sock.sendall(chunk)
                sent += len(chunk)
            except OSError:
                break  # the server answered and closed: it is not reading the rest
            sock.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # nothing to read yet: keep sending
                answer += sock.recv(65536)
            sock.setblocking(True)
            if answer:
                break
        if not answer:
            answer = sock.recv(65536)
    return int(answer.split(b" ", 2)[1])


def cli_draft(path: Path, data: Path) -> tuple[float, float, int]:
    """(seconds, child peak RSS MB, output bytes) of `brandguard check --format json`."""
    out = path.with_suffix(".json")
    start = time.perf_counter()
    with out.open("wb") as handle:
        # --audit never: the draft's cost, not the database's (the API figure includes the entry)
        child = subprocess.Popen(
            [
                *BRANDGUARD,
                "--data-dir",
                str(data),
                "check",
                str(path),
                "--format",
                "json",
                "--audit",
                "never",
            ],
            stdout=handle,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        _pid, _status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest so far
        child.returncode = os.waitstatus_to_exitcode(_status)
    took = time.perf_counter() - start
    return took, usage.ru_maxrss / 1024, out.stat().st_size


def api_draft(server: Server, token: str, text: str) -> tuple[int, float, float, int]:
    reset_peak(server.proc.pid)
    idle = rss_kb(server.proc.pid, "VmRSS")
    start = time.perf_counter()
    response = httpx.post(
        f"{server.base}/api/v1/check",
        json={"text": text, "path": "bench-worst.md"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=300,
    )
    took = time.perf_counter() - start
    return response.status_code, took, (rss_kb(server.proc.pid, "VmHWM") - idle) / 1024, len(response.content)


def newest_entry_bytes(data: Path) -> int:
    import sqlite3

    with sqlite3.connect(data / "brandguard.db") as conn:
        row = conn.execute(
            "SELECT length(data) FROM audit_log WHERE kind = 'check' ORDER BY seq DESC LIMIT 1"
        )
        found = row.fetchone()
        return int(found[0]) if found else 0


def verify_figures(entries: int, runs: int) -> tuple[list[float], list[float], str]:
    os.environ["BRANDGUARD_AUDIT_KEY"] = KEY
    sys.path.insert(0, str(ROOT / "bench"))
    from audit import bulk_load  # the correctly chained bulk loader of bench/audit.py

    from monitor.audit.anchor import sync_anchors
    from monitor.audit.keyring import load_keyring
    from monitor.audit.verify import verify_database
    from monitor.storage.engine import open_database

    ring = load_keyring()
    assert ring is not None
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        bulk_load(engine, entries)
        anchor = Path(tmp) / "anchors" / "audit.jsonl"
        sync_anchors(engine, ring, anchor_file=anchor, channel=None, now=datetime.now(UTC))
        without, with_anchor = [], []
        summary = ""
        for _ in range(runs):
            start = time.perf_counter()
            verify_database(engine, ring)
            without.append(time.perf_counter() - start)
            start = time.perf_counter()
            report = verify_database(engine, ring, anchor_files=[anchor])
            with_anchor.append(time.perf_counter() - start)
            summary = report.summary()
        engine.dispose()
    return without, with_anchor, summary


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--verify-entries", type=int, default=100_000)
    parser.add_argument("--skip", action="append", default=[], choices=("body", "cli", "api", "verify"))
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.2f}; {args.runs} runs each")
    with tempfile.TemporaryDirectory(prefix="bg-bench-sec-") as tmp_text:
        tmp = Path(tmp_text)
        data = tmp / "data"
        best = tmp / "best.txt"
        best.write_text("最好的" * 333_333, encoding="utf-8")  # 999,999 characters (the API's limit is 1e6)
        line = tmp / "line.txt"
        unit = "这款产品是全网最好的选择，国家级品质，100%有效，"
        line.write_bytes((unit * (5 * 1024 * 1024 // len(unit.encode()) + 1)).encode()[: 5 * 1024 * 1024 - 2])
        if "cli" not in args.skip:
            for label, path in (("1,000,000 chars of 最好的", best), ("one 5 MB line", line)):
                results = [cli_draft(path, data) for _ in range(args.runs)]
                print(
                    f"CLI check {label}: median {median([r[0] for r in results])} s, "
                    f"peak RSS {max(r[1] for r in results):.0f} MB, "
                    f"output {results[0][2] / 1e6:.2f} MB"
                )
        add = [*BRANDGUARD, "--data-dir", str(data), "users", "add", "bench", "--role", "copywriter"]
        env = {**os.environ, "BRANDGUARD_PASSWORD": "bench password 123"}
        subprocess.run(add, text=True, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        token = subprocess.run(
            [*BRANDGUARD, "--data-dir", str(data), "users", "token", "bench"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.split()[-1]
        server = Server(data)
        try:
            if "body" not in args.skip:
                for chunked in (False, True):
                    runs = [oversized(server, chunked=chunked) for _ in range(args.runs)]
                    kind = "chunked" if chunked else "Content-Length"
                    print(
                        f"anonymous 300 MB POST ({kind}): status {runs[0][0]}, answer in median "
                        f"{median([r[1] for r in runs])} s, server peak RSS growth median "
                        f"{median([r[2] for r in runs])} MB (max {max(r[2] for r in runs):.1f})"
                    )
            if "api" not in args.skip:
                text = best.read_text(encoding="utf-8")
                runs2 = [api_draft(server, token, text) for _ in range(args.runs)]
                print(
                    f"API check 1,000,000 chars of 最好的: status {runs2[0][0]}, median "
                    f"{median([r[1] for r in runs2])} s, server peak RSS growth median "
                    f"{median([r[2] for r in runs2])} MB, answer {runs2[0][3] / 1e6:.2f} MB, "
                    f"audit entry {newest_entry_bytes(data) / 1e3:.1f} KB"
                )
        finally:
            server.close()
    if "verify" not in args.skip:
        without, with_anchor, summary = verify_figures(args.verify_entries, args.runs)
        print(
            f"audit verify {args.verify_entries:,} entries: median {median(without)} s without the anchor "
            f"file, {median(with_anchor)} s with it -> {summary}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
