"""HTML list pages split by CSS selectors: one item per post, links absolute, a page without posts refused."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from monitor.errors import ParseError
from monitor.parse import parse_document

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
BOARD = """<html><head><meta charset="gbk"><title>星河手机吧</title></head><body>
<div class="thread"><a class="t" href="/p/1">星河手机 充电发烫</a><span class="a">吧友甲</span>
<span class="d">2026-11-20 13:05</span><div class="c">充电十分钟就很烫，售后说正常</div></div>
<div class="thread"><a class="t" href="/p/2">星河手机 新版本体验</a><span class="a">吧友乙</span>
<span class="d">昨天</span></div>
<div class="thread"><span class="a">只有作者</span></div>
</body></html>""".encode("gbk")
SELECTORS = {"item": "div.thread", "title": "a.t", "link": "a.t", "time": ".d", "author": ".a", "text": ".c"}


def test_one_item_per_post_with_its_fields() -> None:
    doc = parse_document(
        "html",
        BOARD,
        {"content-type": "text/html"},
        url="https://tieba.example.com/f?kw=x",
        now=NOW,
        selectors=SELECTORS,
    )
    assert [i.title for i in doc.items] == ["星河手机 充电发烫", "星河手机 新版本体验"]
    first, second = doc.items
    assert first.link == "https://tieba.example.com/p/1" and first.guid == first.link
    assert first.author == "吧友甲" and first.text == "充电十分钟就很烫，售后说正常"
    assert first.published_at == datetime(2026, 11, 20, 5, 5, tzinfo=UTC)  # Beijing time read as such
    assert not first.published_estimated
    assert second.text == "星河手机 新版本体验"  # no text element: the title stands in
    assert first.published_at.astimezone(ZoneInfo("Asia/Shanghai")).hour == 13


def test_a_page_where_the_item_selector_matches_nothing_is_an_error() -> None:
    login = "<html><body><h2>请先登录</h2></body></html>".encode()
    with pytest.raises(ParseError, match="matched nothing"):
        parse_document("html", login, {}, url="https://x.example.com/", now=NOW, selectors=SELECTORS)


def test_without_selectors_a_page_is_still_one_article() -> None:
    doc = parse_document("html", BOARD, {"content-type": "text/html"}, url="https://x.example.com/", now=NOW)
    assert len(doc.items) == 1
