"""Fetch from the misbehaving server, then parse: what the daemon's pipeline does for each source."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.fetch import FetchPolicy, fetch_sync
from monitor.parse import ParsedDocument, parse_document
from tests.integration.misbehaving_server import MisbehavingServer, misbehaving_server, static

pytestmark = pytest.mark.integration

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
POLICY = FetchPolicy(allow_networks=("127.0.0.0/8",), deadline_s=3.0)


def _rss(items: str, prolog: str = "", encoding: str = "utf-8") -> str:
    head = f'<?xml version="1.0" encoding="{encoding}"?>{prolog}'
    return f'{head}<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MisbehavingServer]:
    secret = tmp_path_factory.mktemp("xxe") / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    routes = {
        "/gbk-as-utf8": static(
            _rss("<item><guid>1</guid><title>喆品牌被投诉</title></item>").encode("gb18030"),
            content_type="application/rss+xml; charset=utf-8",
        ),
        "/malformed": static(
            _rss("<item><guid>1</guid><title>ok</title></item><item><title>bad</oops>").encode()
        ),
        "/entity-bomb": static(
            _rss(
                "<item><title>" + "&e;" * 5000 + "</title></item>",
                prolog='<!DOCTYPE rss [<!ENTITY e "' + "x" * 50_000 + '">]>',
            ).encode()
        ),
        "/xxe": static(
            _rss(
                "<item><guid>1</guid><title>&x;</title></item>",
                prolog=f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>',
            ).encode()
        ),
        "/html-not-feed": static(
            b"<!DOCTYPE html><html><body>Login required</body></html>", content_type="text/html"
        ),
        "/dup-guids": static(
            _rss(
                "<item><guid isPermaLink='false'>a</guid><title>1</title></item>"
                "<item><guid isPermaLink='false'>a</guid><title>2</title></item>"
            ).encode()
        ),
        "/odd-dates": static(
            _rss(
                "<item><guid>1</guid><title>cst</title>"
                "<pubDate>Tue, 10 Jun 2025 08:00:00 CST</pubDate></item>"
                "<item><guid>2</guid><title>cn</title><pubDate>2025年06月10日 08:00</pubDate></item>"
                "<item><guid>3</guid><title>none</title></item>"
                "<item><guid>4</guid><title>future</title><pubDate>2099-01-01 00:00</pubDate></item>"
                "<item><guid>5</guid><title>epoch</title><pubDate>1749542400</pubDate></item>"
            ).encode()
        ),
    }
    with misbehaving_server(routes) as s:
        yield s


def _fetch_parse(server: MisbehavingServer, path: str) -> ParsedDocument:
    result = fetch_sync(server.url(path), policy=POLICY, now=NOW)
    assert result.status == "ok", result.error
    assert result.body is not None
    return parse_document("rss", result.body, result.headers, url=result.final_url, now=NOW)


def test_gbk_labelled_utf8(server: MisbehavingServer) -> None:
    assert _fetch_parse(server, "/gbk-as-utf8").items[0].title == "喆品牌被投诉"


def test_malformed_xml_keeps_recovered_items(server: MisbehavingServer) -> None:
    doc = _fetch_parse(server, "/malformed")
    assert doc.items[0].title == "ok"
    assert any("malformed XML" in w for w in doc.warnings)


def test_entity_blow_up_is_rejected_quickly(server: MisbehavingServer) -> None:
    started = time.perf_counter()
    with pytest.raises(ParseError, match="XML entities"):
        _fetch_parse(server, "/entity-bomb")
    assert time.perf_counter() - started < 1.0


def test_xxe_leaks_nothing(server: MisbehavingServer) -> None:
    with pytest.raises(ParseError, match="XML entities") as info:
        _fetch_parse(server, "/xxe")
    assert "TOP-SECRET-MARKER" not in str(info.value)


@pytest.mark.parametrize(
    ("path", "message"), [("/html-not-feed", "got an HTML page"), ("/empty", "empty document")]
)
def test_unparseable_bodies(server: MisbehavingServer, path: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        _fetch_parse(server, path)


def test_duplicate_guids(server: MisbehavingServer) -> None:
    doc = _fetch_parse(server, "/dup-guids")
    assert [i.title for i in doc.items] == ["1"]
    assert any("duplicate guid" in w for w in doc.warnings)


def test_missing_and_odd_dates(server: MisbehavingServer) -> None:
    doc = _fetch_parse(server, "/odd-dates")
    got = {i.title: (i.published_at, i.published_estimated) for i in doc.items}
    eight_cst = datetime(2025, 6, 10, 0, 0, tzinfo=UTC)
    assert got == {
        "cst": (eight_cst, False),
        "cn": (eight_cst, False),
        "none": (NOW, True),
        "future": (NOW, False),
        "epoch": (datetime(2025, 6, 10, 8, 0, tzinfo=UTC), False),
    }


def test_unchanged_body_skips_parsing(server: MisbehavingServer) -> None:
    first = fetch_sync(server.url("/dup-guids"), policy=POLICY, now=NOW)
    second = fetch_sync(server.url("/dup-guids"), policy=POLICY, now=NOW, validators=first.validators)
    assert second.status == "unchanged" and second.body is None


def test_server_module_is_documented_for_reuse() -> None:
    import tests.integration.misbehaving_server as module

    doc = module.__doc__ or ""
    for path in module.standard_routes():
        assert path in doc, f"standard route {path} missing from the module docstring"
    assert Path(module.__file__).name == "misbehaving_server.py"
