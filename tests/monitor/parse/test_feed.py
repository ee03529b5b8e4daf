from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.parse import ParsedDocument, parse_document

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
URL = "https://news.example.cn/rss.xml"


def rss(items: str, *, encoding: str = "utf-8", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>{prolog}<rss version="2.0"><channel>'
        f"<title>品牌新闻</title><link>https://news.example.cn/</link>{items}</channel></rss>"
    )


def parse(body: bytes | str, kind: str = "rss", headers: dict[str, str] | None = None) -> ParsedDocument:
    data = body.encode() if isinstance(body, str) else body
    return parse_document(kind, data, headers or {}, url=URL, now=NOW)  # type: ignore[arg-type]


def test_rss_items_are_extracted_with_text_from_html() -> None:
    doc = parse(
        rss(
            "<item><guid isPermaLink='false'>a-1</guid><title>某品牌 &amp; 召回</title>"
            "<link>https://news.example.cn/a/1</link><author>记者</author>"
            "<description>&lt;p&gt;第一段&lt;/p&gt;&lt;p&gt;第二段&lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;</description>"
            "<pubDate>Tue, 10 Jun 2025 08:00:00 CST</pubDate></item>"
        )
    )
    assert doc.title == "品牌新闻"
    assert doc.warnings == []
    [item] = doc.items
    assert item.guid == "a-1"
    assert item.link == "https://news.example.cn/a/1"
    assert item.title == "某品牌 & 召回"
    assert item.text == "第一段\n第二段"
    assert item.author == "记者"
    assert item.published_at == datetime(2025, 6, 10, 0, 0, tzinfo=UTC)
    assert not item.published_estimated


def test_relative_links_resolve_against_the_source_url() -> None:
    doc = parse(rss("<item><guid isPermaLink='false'>1</guid><title>t</title><link>/a/1</link></item>"))
    assert doc.items[0].link == "https://news.example.cn/a/1"


def test_an_xml_base_applies_before_the_source_url() -> None:
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/news/"><title>A</title>'
        '<entry><id>1</id><title>t</title><link href="p/1"/></entry>'
        '<entry xml:base="https://cdn.example/x/"><id>2</id><title>t</title><link href="p/2"/></entry></feed>'
    )
    assert [item.link for item in parse(atom, "atom").items] == [
        "https://news.example.cn/news/p/1",
        "https://cdn.example/x/p/2",
    ]


def test_atom_entry_with_only_updated_and_html_content() -> None:
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        "<entry><id>urn:x:1</id><title>标题</title><updated>2025-06-10T08:00:00+08:00</updated>"
        '<link href="https://a.example/1"/><content type="html">&lt;b&gt;正文&lt;/b&gt;</content>'
        "<author><name>作者</name></author></entry></feed>"
    )
    [item] = parse(atom, "atom").items
    assert (item.guid, item.title, item.text, item.author) == ("urn:x:1", "标题", "正文", "作者")
    assert item.published_at == datetime(2025, 6, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pub", "expected", "estimated", "warning"),
    [
        ("<pubDate>2025年06月10日 08:00</pubDate>", datetime(2025, 6, 10, 0, 0, tzinfo=UTC), False, None),
        ("<pubDate>1749542400</pubDate>", datetime(2025, 6, 10, 8, 0, tzinfo=UTC), False, None),
        ("<pubDate>3小时前</pubDate>", datetime(2025, 6, 10, 9, 0, tzinfo=UTC), False, None),
        ("<dc:date>2025-06-10T08:00:00Z</dc:date>", datetime(2025, 6, 10, 8, 0, tzinfo=UTC), False, None),
        ("", NOW, True, "without a date"),
        ("<pubDate>someday</pubDate>", NOW, True, "unreadable dates ('someday')"),
        ("<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate>", NOW, False, "in the future"),
    ],
)
def test_odd_and_missing_dates(pub: str, expected: datetime, estimated: bool, warning: str | None) -> None:
    body = rss(f"<item><guid>g</guid><title>t</title>{pub}</item>").replace(
        "<rss ", '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
    )
    doc = parse(body)
    [item] = doc.items
    assert (item.published_at, item.published_estimated) == (expected, estimated)
    if warning is None:
        assert doc.warnings == []
    else:
        assert any(warning in w for w in doc.warnings), doc.warnings


def test_duplicate_guids_keep_the_first_and_warn() -> None:
    doc = parse(
        rss(
            "<item><guid isPermaLink='false'>x</guid><title>first</title></item>"
            "<item><guid isPermaLink='false'>x</guid><title>second</title></item>"
            "<item><guid isPermaLink='false'>y</guid><title>third</title></item>"
        )
    )
    assert [i.title for i in doc.items] == ["first", "third"]
    assert any("duplicate guid 'x' appears 2 times" in w for w in doc.warnings)


def test_gbk_feed_labelled_utf8_is_not_mojibake() -> None:
    body = rss("<item><guid>1</guid><title>喆品牌投诉</title></item>").encode("gb18030")
    doc = parse(body, headers={"Content-Type": "application/rss+xml; charset=UTF-8"})
    assert doc.items[0].title == "喆品牌投诉"
    assert any("gb18030" in w for w in doc.warnings)


def test_malformed_xml_keeps_recovered_entries_with_a_warning() -> None:
    body = rss("<item><guid>1</guid><title>好的</title></item><item><guid>2</guid><title>坏的</oops></item>")
    doc = parse(body)
    assert doc.items[0].title == "好的"
    assert any("malformed XML" in w for w in doc.warnings)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty document"),
        (b"  \n\t ", "empty document"),
        (
            b"<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>",
            "got an HTML page",
        ),
        (b"<html><body><p>hello</p></body></html>", "got an HTML page"),
        (b"<!-- cached --><HTML><BODY>x</BODY></HTML>", "got an HTML page"),
        (b"just some text", "no entries recovered"),
        (b"<?xml version='1.0'?><rss><channel><item><title>", "no entries recovered"),
        (b'{"items": []}', "no entries recovered"),
    ],
)
def test_hopeless_documents_raise_parse_error(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(body)


def test_valid_feed_with_no_items_is_empty_not_an_error() -> None:
    doc = parse(rss(""))
    assert doc.items == [] and doc.title == "品牌新闻"


def test_entity_blow_up_is_rejected_quickly_and_without_memory() -> None:
    # "Quadratic blow-up": one 40 KB entity referenced 2,000 times expands to ~80 MB of text (FIELD-NOTES
    # measured 1.17 GB and 18 s for a slightly larger one going through feedparser).
    entity = "a" * 40_000
    refs = "&big;" * 2_000
    body = rss(f"<item><title>{refs}</title></item>", prolog=f'<!DOCTYPE rss [<!ENTITY big "{entity}">]>')
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ParseError, match="XML entities"):
        parse(body)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 5 * 1024 * 1024


def test_billion_laughs_and_xxe_are_rejected(tmp_path: Path) -> None:
    laughs = '<!DOCTYPE r [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;">]>'
    with pytest.raises(ParseError, match="XML entities"):
        parse(rss("<item><title>&l2;</title></item>", prolog=laughs))
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    xxe = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    with pytest.raises(ParseError, match="XML entities"):
        parse(rss("<item><title>&xxe;</title></item>", prolog=xxe))


def test_external_dtd_without_entities_does_not_leak_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY leak "TOP-SECRET-MARKER">')
    body = rss(
        "<item><guid>1</guid><title>t &amp; x</title></item>",
        prolog=f'<!DOCTYPE rss SYSTEM "file://{secret}">',
    )
    doc = parse(body)
    assert "TOP-SECRET-MARKER" not in repr(doc)


def test_feedparser_is_only_ever_given_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    import feedparser

    seen: list[object] = []
    real = feedparser.parse

    def spy(source: object, **kw: object) -> object:
        seen.append(source)
        return real(source, **kw)

    monkeypatch.setattr(feedparser, "parse", spy)
    parse(rss("<item><guid>1</guid><title>t</title></item>"))
    assert len(seen) == 1 and isinstance(seen[0], bytes)


def test_two_hundred_item_feed_parses_and_keeps_order() -> None:
    items = "".join(
        f"<item><guid isPermaLink='false'>{i}</guid><title>标题{i}</title><description>内容{i}</description>"
        f"<pubDate>2025-06-10 08:{i % 60:02d}:00</pubDate></item>"
        for i in range(200)
    )
    doc = parse(rss(items))
    assert [i.guid for i in doc.items] == [str(i) for i in range(200)]
    assert doc.warnings == []
