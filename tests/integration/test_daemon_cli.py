"""`brandguard run` / `sources list` / `sources test` / `demo` as a user runs them."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.misbehaving_server import misbehaving_server, static

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>车讯</title>'
    "<item><guid>1</guid><title>云帆汽车 发布新车</title><link>http://example.com/1</link>"
    "<pubDate>Tue, 10 Jun 2025 08:00:00 +0800</pubDate><description>云帆汽车新款上市</description></item>"
    "<item><guid>2</guid><title>别的新闻</title><link>http://example.com/2</link>"
    "<pubDate>Tue, 10 Jun 2025 09:00:00 +0800</pubDate><description>与品牌无关</description></item>"
    "</channel></rss>"
).encode()


def _write_config(path: Path, feed_url: str) -> Path:
    path.write_text(
        f"""
[daemon]
poll_tick_s = 1
allow_networks = ["127.0.0.0/8"]

[[brands]]
name = "云帆汽车"
query = "云帆汽车"

[[sources]]
name = "车讯"
kind = "rss"
url = "{feed_url}"
interval = "15m"
""",
        encoding="utf-8",
    )
    return path


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_crawls_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with misbehaving_server({"/feed.xml": static(RSS)}) as server:
        config = _write_config(tmp_path / "brandguard.toml", server.url("/feed.xml"))
        common = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", *common, "run", "--listen", f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            deadline = time.monotonic() + 60
            while server.hits["/feed.xml"] == 0 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.02)  # waiting for the daemon's first request, not for a time to pass
            assert server.hits["/feed.xml"] == 1
            listing = ""
            while "ok" not in listing and time.monotonic() < deadline:  # until its crawl is committed
                listing = _cli(*common, "sources", "list").stdout
            # `run` serves the web console beside the daemon (issue 7).
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            assert health.status_code == 200
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped" in err
    assert "车讯" in listing and " ok " in listing

    as_json = json.loads(_cli(*common, "sources", "list", "--format", "json").stdout)
    assert as_json[0]["health"] == "ok" and as_json[0]["consecutive_errors"] == 0
    assert as_json[0]["next_check_at"] > as_json[0]["last_success_at"]


def test_sources_test_stores_nothing_and_run_once_does(tmp_path: Path) -> None:
    with misbehaving_server({"/feed.xml": static(RSS)}) as server:
        config = _write_config(tmp_path / "brandguard.toml", server.url("/feed.xml"))
        common = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
        result = _cli(*common, "sources", "test", server.url("/feed.xml"), "--format", "json")
        blocked = _cli("--data-dir", str(tmp_path / "data"), "sources", "test", server.url("/feed.xml"))
        stored_nothing = not (tmp_path / "data" / "brandguard.db").exists()
        once = _cli(*common, "run", "--once", "--quiet")  # the real thing: fetch, store, exit
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["items"], report["matched"]) == (2, 1)
    assert report["entries"][0]["brands"] == ["云帆汽车"]
    assert stored_nothing
    assert once.returncode == 0, once.stderr
    assert once.stdout.startswith("1 sources crawled, 1 new mentions")
    assert server.hits["/feed.xml"] == 2  # the refused request never left the machine
    # Without the config's allow-list the SSRF guard refuses loopback: one line, exit 2.
    assert blocked.returncode == 2
    assert blocked.stderr.startswith("brandguard: error:") and "Traceback" not in blocked.stderr


def test_run_without_sources_is_a_usage_error(tmp_path: Path) -> None:
    result = _cli("--data-dir", str(tmp_path), "run")
    assert result.returncode == 2
    assert result.stderr.startswith("brandguard: error: no sources configured")


def test_demo_once_json_prints_exactly_the_contract(tmp_path: Path) -> None:
    result = _cli("--data-dir", str(tmp_path), "demo", "--once", "--format", "json", timeout=120)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert list(figures) == ["sources", "mentions", "negative", "alerts", "notifications"]
    assert figures["sources"] == 8  # six feeds + two platform searches (weibo, tieba)
    assert figures["mentions"] > 150
    assert all(isinstance(v, int) for v in figures.values())
