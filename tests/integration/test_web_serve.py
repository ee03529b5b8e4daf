"""`brandguard serve` as a real process: users from the CLI, login-only pages, the API with a token."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(data: Path, *args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return result.stdout


def _start(data: Path, port: int, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "monitor",
        "--data-dir",
        str(data),
        "serve",
        "--port",
        str(port),
        "--insecure-cookies",
        *extra,
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_healthy(base: str, server: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(f"{base}/healthz", timeout=1)
        except httpx.TransportError:
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)  # polling for start-up


def test_serve_process(tmp_path: Path) -> None:
    env = {**os.environ, "BRANDGUARD_PASSWORD": "a long password", "BRANDGUARD_ACTOR": "ops"}
    _cli(tmp_path, "users", "add", "zhang", "--role", "pr", env=env)
    token = _cli(tmp_path, "users", "token", "zhang", env=env).strip()
    port = _free_port()
    server = _start(tmp_path, port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        health = _wait_healthy(base, server)
        assert health.json()["status"] == "ok"
        assert httpx.get(f"{base}/incidents").status_code == 303
        assert httpx.get(f"{base}/api/v1/incidents").status_code == 401
        listed = httpx.get(f"{base}/api/v1/incidents", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200 and listed.json() == []
    finally:
        server.terminate()
        server.communicate(timeout=10)  # also closes the pipes


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_serve_workers_share_one_audit_chain(tmp_path: Path) -> None:
    """Two worker processes answer checks concurrently; every answer has its entry in one intact chain."""
    env = {**os.environ, "BRANDGUARD_PASSWORD": "a long password", "BRANDGUARD_ACTOR": "ops"}
    _cli(tmp_path, "users", "add", "li", "--role", "copywriter", env=env)
    token = _cli(tmp_path, "users", "token", "li", env=env).strip()
    port = _free_port()
    server = _start(tmp_path, port, env, "--workers", "2")
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        _wait_healthy(base, server)
        assert len(_children(server.pid)) >= 2  # the workers (multiprocessing may add a tracker)

        async def burst() -> list[httpx.Response]:
            limits = httpx.Limits(max_connections=20)
            async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as c:
                return list(
                    await asyncio.gather(
                        *(
                            c.post(
                                "/api/v1/check", json={"text": f"全网第一的好物 {i}", "path": f"draft-{i}.md"}
                            )
                            for i in range(60)
                        )
                    )
                )

        responses = asyncio.run(burst())
        assert [r.status_code for r in responses] == [200] * 60
        assert all(r.json()["results"][0]["findings"] for r in responses)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    verify = subprocess.run(
        [sys.executable, "-m", "monitor", "--data-dir", str(tmp_path), "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    logged = _cli(tmp_path, "audit", "log", "--kind", "check", "--format", "jsonl", env=env)
    subjects = sorted(json.loads(line)["subject"] for line in logged.splitlines())
    assert subjects == sorted(f"draft-{i}.md" for i in range(60))


def test_serve_rejects_bad_worker_count(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--data-dir", str(tmp_path), "serve", "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--workers" in result.stderr
