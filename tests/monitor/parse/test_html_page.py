from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.errors import ParseError
from monitor.parse import parse_document

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
URL = "https://bbs.example.cn/thread?id=42"


def page(head: str, body: str) -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def parse(body: bytes, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return parse_document("html", body, headers or {}, url=URL, now=NOW)


def test_meta_tags_win_and_chrome_is_stripped() -> None:
    doc = parse(
        page(
            '<title>论坛 - 帖子</title><meta property="og:title" content="某品牌奶粉被曝光">'
            '<meta property="article:published_time" content="2025-06-10T08:00:00+08:00">'
            '<meta name="author" content="网友A"><link rel="canonical" href="/t/42">',
            "<nav>首页 登录</nav><header>LOGO</header><div class='side'>广告</div>"
            "<article><p>第一段内容。</p><p>第二段。</p><script>track()</script><style>p{}</style></article>"
            "<footer>版权所有</footer>",
        )
    )
    [item] = doc.items
    assert item.title == "某品牌奶粉被曝光" and doc.title == item.title
    assert item.text == "第一段内容。\n第二段。"
    assert item.link == item.guid == "https://bbs.example.cn/t/42"
    assert item.author == "网友A"
    assert item.published_at == datetime(2025, 6, 10, 0, 0, tzinfo=UTC)
    assert not item.published_estimated


def test_falls_back_to_title_main_and_time_element() -> None:
    doc = parse(
        page(
            "<title>标题</title>",
            "<nav>x</nav><main><time datetime='2025-06-09 10:00'>昨天</time>正文</main>",
        )
    )
    [item] = doc.items
    assert item.title == "标题"
    assert "正文" in item.text and "x" not in item.text
    assert item.link == URL
    assert item.published_at == datetime(2025, 6, 9, 2, 0, tzinfo=UTC)


def test_no_date_means_fetch_time_estimated_and_body_text_when_no_article() -> None:
    doc = parse(page("<title>T</title>", "<div>只有正文</div><footer>f</footer>"))
    [item] = doc.items
    assert item.text == "只有正文"
    assert item.published_at == NOW and item.published_estimated
    assert any("without a date" in w for w in doc.warnings)


def test_description_is_used_when_the_page_has_no_text() -> None:
    doc = parse(
        page('<meta property="og:description" content="摘要"><title>T</title>', "<script>app()</script>")
    )
    assert doc.items[0].text == "摘要"


def test_gbk_page_with_meta_charset() -> None:
    body = '<html><head><meta charset="gb2312"><title>喆品牌</title></head><body>投诉</body></html>'.encode(
        "gb18030"
    )
    assert parse(body).items[0].title == "喆品牌"


@pytest.mark.parametrize("body", [b"", b"   ", b"<html><head></head><body><script>x</script></body></html>"])
def test_empty_pages_are_parse_errors(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse(body)
