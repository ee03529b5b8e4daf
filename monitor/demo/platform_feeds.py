"""The demo's platform sources, as a local RSSHub would serve them: Weibo keyword search (JSON Feed with
authors and Weibo's counts in ``_extra``) and a 百度贴吧 search that hits a captcha wall mid-story.

RSSHub's own npm package is years old (FIELD-NOTES.md), so the demo serves responses in RSSHub's
documented output format from its own loopback server, like the tests do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# (minute, author, followers, reposts, comments, likes, text); minutes as in the dataset (0 = story start).
# No post here first appears in the same 15-minute round as a near-duplicate in the bundled feeds: two
# concurrent crawls would race to start the story, and the demo's figures must not depend on who wins.
WEIBO = [
    (-600, "车评人老周", 86000, 12, 30, 410, "云帆汽车 X7 这次的智能驾驶更新挺实用，自动泊车一次成功"),
    (-300, "城市出行", 5200, 3, 8, 66, "周末去看了云帆X7，展厅人不少，试驾排队一小时"),
    (
        40,
        "城市热点速递",
        2_500_000,
        5400,
        3100,
        28000,
        "【突发】高速服务区一辆云帆汽车X7充电时自燃，车辆烧得只剩框架，车主称刚提车两个月",
    ),
    (
        75,
        "新能源观察",
        310000,
        880,
        420,
        5200,
        "云帆X7自燃视频传开了，电池安全是底线，云帆汽车必须尽快给出原因，否则很难让人放心",
    ),
    (
        140,
        "律师王明",
        180000,
        1300,
        760,
        9100,
        "云帆X7车主充电自燃、客服不回复，建议车主保全证据，依法投诉维权",
    ),
    (250, "汽车吐槽君", 640000, 2100, 1500, 17000, "云帆汽车对X7自燃事件至今没有公开回应，车主们很失望"),
]
TIEBA = [
    (-500, "X7车主吧友", "云帆X7冬天续航怎么样？求真实车主说说"),
    (50, "路过的吧友", "云帆X7在服务区自燃是真的吗？有没有现场图"),
    (200, "车主维权群", "云帆汽车X7自燃车主维权帖，已经联系了十几位车主，准备集体投诉"),
    (300, "老司机", "云帆X7快充发热的问题我也遇到过，担心安全"),
]
# 百度贴吧 answers with its 安全验证 page from 1:30 to 3:00 into the story: a blind window.
TIEBA_BLOCKED = (90, 180)
_CAPTCHA = (Path(__file__).parent / "data" / "tieba_security.html").read_bytes()


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def platform_answer(path: str, start: datetime, now: datetime, base_url: str) -> Answer | None:
    """The RSSHub route behind ``path`` (``/rsshub/<route>?format=json``), or None if there is none."""
    route = unquote(urlsplit(path).path)
    minute = (now - start) / timedelta(minutes=1)
    if route.startswith("/rsshub/weibo/keyword/"):
        keyword = route.rsplit("/", 1)[-1]
        items = [
            {
                "id": f"https://weibo.com/demo/{i}",
                "url": f"https://weibo.com/demo/{i}",
                "title": f"{author}: {text[:30]}",
                "content_html": text,
                "date_published": (start + timedelta(minutes=m)).isoformat(),
                "authors": [{"name": author}],
                "_extra": {
                    "followers_count": followers,
                    "reposts_count": reposts,
                    "comments_count": comments,
                    "attitudes_count": likes,
                },
            }
            for i, (m, author, followers, reposts, comments, likes, text) in enumerate(WEIBO)
            if m <= minute and keyword in text.replace("云帆X7", "云帆汽车X7")
        ]
        return _feed(f"{keyword} 的微博", base_url, items)
    if route.startswith("/rsshub/baidu/tieba/search/"):
        if TIEBA_BLOCKED[0] <= minute < TIEBA_BLOCKED[1]:
            return Answer(200, "text/html; charset=utf-8", _CAPTCHA)
        keyword = route.rsplit("/", 1)[-1]
        items = [
            {
                "id": f"https://tieba.baidu.com/p/demo{i}",
                "url": f"https://tieba.baidu.com/p/demo{i}",
                "title": text[:24],
                "content_html": text,
                "date_published": (start + timedelta(minutes=m)).isoformat(),
                "authors": [{"name": author}],
            }
            for i, (m, author, text) in enumerate(TIEBA)
            if m <= minute and keyword[:2] in text
        ]
        return _feed(f"{keyword} - 百度贴吧搜索", base_url, items)
    return None


def _feed(title: str, base_url: str, items: Sequence[Mapping[str, Any]]) -> Answer:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": base_url,
        "description": f"{title} - Powered by RSSHub",
        "items": items,
    }
    return Answer(200, "application/json; charset=utf-8", json.dumps(doc, ensure_ascii=False).encode())
