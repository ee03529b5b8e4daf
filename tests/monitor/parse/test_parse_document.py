from __future__ import annotations

from datetime import datetime

import pytest

from monitor.errors import BrandGuardError, ParseError
from monitor.parse import parse_document


def test_parse_error_is_a_known_error_for_the_cli() -> None:
    assert issubclass(ParseError, BrandGuardError)


def test_unknown_kind_and_zone_are_parse_errors() -> None:
    now = datetime.fromisoformat("2025-06-10T00:00:00+00:00")
    with pytest.raises(ParseError, match="unknown document kind"):
        parse_document("yaml", b"x", {}, url="u", now=now)  # type: ignore[arg-type]
    with pytest.raises(ParseError, match="unknown time zone"):
        parse_document("rss", b"<rss/>", {}, url="u", source_tz="Nowhere/City", now=now)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        parse_document("rss", b"<rss/>", {}, url="u", now=datetime(2025, 6, 10))


def test_results_pickle_for_a_process_pool() -> None:
    import pickle

    now = datetime.fromisoformat("2025-06-10T00:00:00+00:00")
    body = b'<rss version="2.0"><channel><item><guid>1</guid><title>t</title></item></channel></rss>'
    doc = parse_document("rss", body, {}, url="https://x.example/", now=now)
    assert pickle.loads(pickle.dumps(doc)) == doc
