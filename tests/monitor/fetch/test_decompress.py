from __future__ import annotations

import gzip
import zlib

import pytest

from monitor.errors import FetchError
from monitor.fetch.decompress import CappedDecoder
from monitor.fetch.errors import ResponseTooLargeError

TEXT = "<rss>品牌新闻 brand news</rss>".encode() * 200


def _raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


def _decode(encoding: str | None, payload: bytes, limit: int, chunk: int = 1000) -> bytes:
    decoder = CappedDecoder(encoding, limit)
    out = [decoder.feed(payload[i : i + chunk]) for i in range(0, len(payload), chunk)]
    out.append(decoder.flush())
    return b"".join(out)


@pytest.mark.parametrize(
    ("encoding", "payload"),
    [
        (None, TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", _raw_deflate(TEXT)),  # servers that send raw deflate despite the spec
        ("deflate, gzip", gzip.compress(zlib.compress(TEXT))),  # applied in order listed
        ("GZIP", gzip.compress(TEXT)),
    ],
)
def test_encodings_round_trip(encoding: str | None, payload: bytes) -> None:
    assert _decode(encoding, payload, limit=len(TEXT)) == TEXT


@pytest.mark.parametrize("chunk", [1, 100, 10_000_000])
def test_bomb_is_stopped_at_the_limit_whatever_the_chunking(chunk: int) -> None:
    bomb = gzip.compress(bytes(20 * 1024 * 1024))  # ~20 KB on the wire
    decoder = CappedDecoder("gzip", 64 * 1024)
    with pytest.raises(ResponseTooLargeError, match="65536"):
        for i in range(0, len(bomb), chunk):
            decoder.feed(bomb[i : i + chunk])
        decoder.flush()
    assert decoder.size <= 64 * 1024 + 1 + chunk  # never inflated far past the limit


def test_output_exactly_at_limit_is_accepted() -> None:
    assert _decode("gzip", gzip.compress(TEXT), limit=len(TEXT)) == TEXT
    with pytest.raises(ResponseTooLargeError):
        _decode("gzip", gzip.compress(TEXT), limit=len(TEXT) - 1)


def test_unsupported_and_corrupt_encodings_are_fetch_errors() -> None:
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'zstd'"):
        CappedDecoder("zstd", 100)
    with pytest.raises(FetchError, match="corrupt gzip"):
        _decode("gzip", b"this is not gzip at all", limit=1000)


def test_br_is_advertised_only_when_it_can_be_decoded_with_a_cap() -> None:
    from monitor.fetch import decompress

    assert ("br" in decompress.ACCEPT_ENCODING) == decompress.HAS_BROTLI
    if not decompress.HAS_BROTLI:
        with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
            CappedDecoder("br", 100)


def test_br_round_trip_and_bomb() -> None:
    brotli = pytest.importorskip("brotli", minversion="1.2", reason="optional brotli >= 1.2 not installed")
    assert _decode("br", brotli.compress(TEXT), limit=len(TEXT)) == TEXT
    bomb = brotli.compress(bytes(50 * 1024 * 1024), quality=1)
    decoder = CappedDecoder("br", 64 * 1024)
    with pytest.raises(ResponseTooLargeError):
        for i in range(0, len(bomb), 100):
            decoder.feed(bomb[i : i + 100])
        decoder.flush()
    assert decoder.size <= 64 * 1024 * 2
    with pytest.raises(FetchError, match="corrupt br"):
        _decode("br", b"definitely not brotli" * 10, limit=1000)
