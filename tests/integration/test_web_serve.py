"""`brandguard serve` as a real process: users from the CLI, login-only pages, the API with a token."""

from __future__ import annotations

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


def test_serve_process(tmp_path: Path) -> None:
    env = {**os.environ, "BRANDGUARD_PASSWORD": "a long password", "BRANDGUARD_ACTOR": "ops"}
    _cli(tmp_path, "users", "add", "zhang", "--role", "pr", env=env)
    token = _cli(tmp_path, "users", "token", "zhang", env=env).strip()
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor",
            "--data-dir",
            str(tmp_path),
            "serve",
            "--port",
            str(port),
            "--insecure-cookies",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.05)  # polling for start-up
        assert health.json()["status"] == "ok"
        assert httpx.get(f"{base}/incidents").status_code == 303
        assert httpx.get(f"{base}/api/v1/incidents").status_code == 401
        listed = httpx.get(f"{base}/api/v1/incidents", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200 and listed.json() == []
    finally:
        server.terminate()
        server.communicate(timeout=10)  # also closes the pipes
