"""Platform sources end to end on loopback: an RSSHub-shaped server (recorded responses in RSSHub's
documented JSON Feed output; no current RSSHub installs from the registries), an HTML complaint list
split by selectors, then the gateway serving a login wall: `sources list` says so."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import update

from monitor.storage.engine import open_database
from monitor.storage.schema import sources
from tests.integration.misbehaving_server import misbehaving_server, static

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "monitor" / "platforms" / "fixtures"
LIST_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>投诉列表</title></head><body>
<ul class="list">
 <li class="post"><h3>云朵奶茶 喝出异物</h3><a href="/c/101">详情</a><span class="user">小张</span>
  <time datetime="2026-11-20T13:00:00+08:00">11-20 13:00</time>
  <p class="summary">云朵奶茶 奶茶里有异物，要求退款</p></li>
 <li class="post"><h3>云朵奶茶 门店拒绝退款</h3><a href="/c/102">详情</a><span class="user">小李</span>
  <time datetime="2026-11-20T13:30:00+08:00">11-20 13:30</time>
  <p class="summary">云朵奶茶 拒绝退款，投诉</p></li>
 <li class="post"><h3>别家奶茶 排队太久</h3><a href="/c/103">详情</a><span class="user">小王</span>
  <time datetime="2026-11-20T14:00:00+08:00">11-20 14:00</time>
  <p class="summary">与本品牌无关</p></li>
</ul></body></html>""".encode()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_platform_and_list_page_then_a_login_wall(tmp_path: Path) -> None:
    weibo_path = "/weibo/keyword/" + quote("云朵奶茶", safe="")
    good = static((FIXTURES / "weibo_keyword.json").read_bytes(), content_type="application/json")
    with misbehaving_server(
        {weibo_path: good, "/list": static(LIST_PAGE, content_type="text/html")}
    ) as server:
        config = tmp_path / "brandguard.toml"
        config.write_text(
            f"""
[daemon]
allow_networks = ["127.0.0.0/8"]

[[brands]]
name = "云朵奶茶"
query = "云朵奶茶"

[[platforms]]
name = "weibo"
rsshub = "{server.base_url}"

[[sources]]
name = "投诉列表"
kind = "html"
url = "{server.url("/list")}"
platform = "heimao"
reach_weight = 50000

[sources.selectors]
item = "li.post"
title = "h3"
link = "a"
time = "time"
author = ".user"
text = ".summary"
""",
            encoding="utf-8",
        )
        common = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
        tested = _cli(*common, "sources", "test", server.url("/list"))
        assert tested.returncode == 0, tested.stderr
        assert "found 3 posts" in tested.stdout and "小李 · 2026-11-20T05:30:00+00:00" in tested.stdout
        once = _cli(*common, "run", "--once", "--quiet")
        assert once.returncode == 0, once.stderr
        listed = json.loads(_cli(*common, "mentions", "list", "--format", "json").stdout)["mentions"]
        by_author = {m["author"]: m for m in listed}
        assert by_author["探店博主小米"]["followers"] == 253000  # RSSHub _extra counts
        assert by_author["小李"]["followers"] == 50000  # the list page's reach weight
        assert by_author["小李"]["url"] == server.url("/c/102")
        assert "小王" not in by_author

        server.route(
            weibo_path,
            static((FIXTURES / "weibo_api_login.json").read_bytes(), content_type="application/json"),
        )
        engine = open_database(f"sqlite:///{tmp_path / 'data' / 'brandguard.db'}")
        with engine.begin() as conn:  # due again now (instead of waiting for the interval)
            conn.execute(update(sources).values(next_check_at=datetime.now(UTC)))
        engine.dispose()
        assert _cli(*common, "run", "--once", "--quiet").returncode == 0
        report = json.loads(_cli(*common, "sources", "list", "--format", "json").stdout)
        text = _cli(*common, "sources", "list").stdout
    states = {s["name"]: s for s in report}
    assert states["weibo:云朵奶茶:云朵奶茶"]["health"] == "blocked (login required)"
    assert states["投诉列表"]["health"] == "ok"
    assert "blocked (login required)" in text and "brand 云朵奶茶: 1/2 sources live" in text
