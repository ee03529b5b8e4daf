"""Content-Encoding decoding with a hard cap on the OUTPUT size.

httpx decompresses without a limit (1 MB of gzip became a 1 GB body in our measurements), so the
fetcher streams raw bytes and feeds them through these decoders, which never produce more than
``limit`` bytes: zlib's ``max_length`` bounds each step, so a bomb is stopped after at most
``limit + 1`` bytes of output, whatever its ratio. Brotli ("br") is supported when the optional
``brotli`` package (>= 1.2, which has ``output_buffer_limit``) is installed; otherwise it is neither
advertised in Accept-Encoding nor accepted.
"""

from __future__ import annotations

import zlib

from monitor.errors import FetchError
from monitor.fetch.errors import ResponseTooLargeError

try:  # optional: Brotli >= 1.2 can bound its output (output_buffer_limit); older versions cannot
    import brotli

    HAS_BROTLI = hasattr(brotli.Decompressor(), "can_accept_more_data")
except ImportError:  # pragma: no cover - depends on the environment
    HAS_BROTLI = False

# Only what we can decode with a cap is advertised, so a well-behaved server never sends anything else.
SUPPORTED_ENCODINGS = ("gzip", "deflate", "br") if HAS_BROTLI else ("gzip", "deflate")
ACCEPT_ENCODING = ", ".join(SUPPORTED_ENCODINGS)


class _Decoder:
    def feed(self, data: bytes, budget: int) -> bytes:
        raise NotImplementedError

    def flush(self, budget: int) -> bytes:
        return b""


class _Identity(_Decoder):
    def feed(self, data: bytes, budget: int) -> bytes:
        return data


class _Zlib(_Decoder):
    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        # 47 = 32 + 15: accept a gzip or zlib header. "deflate" should be zlib-wrapped, but some servers
        # send raw deflate; we switch to raw (-15) if the first bytes are not a zlib header.
        self._obj = zlib.decompressobj(47 if encoding == "gzip" else 15)
        self._started = False

    def feed(self, data: bytes, budget: int) -> bytes:
        if self._obj.eof:
            return b""  # trailing garbage or a second gzip member: ignore rather than inflate more
        try:
            out = self._obj.decompress(data, budget + 1)
            self._started = True
        except zlib.error as exc:
            if self._encoding == "deflate" and not self._started:
                self._obj = zlib.decompressobj(-15)
                self._started = True
                return self.feed(data, budget)
            raise FetchError(f"corrupt {self._encoding} body: {exc}") from exc
        chunks = [out]
        produced = len(out)
        # Input the decoder could not use yet because of max_length waits in unconsumed_tail.
        while self._obj.unconsumed_tail and produced <= budget and not self._obj.eof:
            out = self._obj.decompress(self._obj.unconsumed_tail, budget + 1 - produced)
            if not out:
                break
            chunks.append(out)
            produced += len(out)
        return b"".join(chunks)

    def flush(self, budget: int) -> bytes:
        return self._obj.flush(budget + 1) if not self._obj.eof else b""


class _Brotli(_Decoder):
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes, budget: int) -> bytes:
        try:
            out = bytearray(self._obj.process(data, output_buffer_limit=budget + 1))
            # Input held back because of the limit is drained with empty calls, as the API requires.
            while len(out) <= budget and not self._obj.can_accept_more_data():
                more = self._obj.process(b"", output_buffer_limit=budget + 1 - len(out))
                if not more:
                    break
                out += more
        except brotli.error as exc:
            raise FetchError(f"corrupt br body: {exc}") from exc
        return bytes(out)


class CappedDecoder:
    """Decode a Content-Encoding chain (``gzip``, ``gzip, deflate`` ...) into at most ``limit`` bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        names = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
        self._chain: list[_Decoder] = []
        # Encodings are listed in the order they were applied: undo them last-first.
        for name in reversed(names):
            if name == "identity":
                continue
            if name in ("gzip", "x-gzip"):
                self._chain.append(_Zlib("gzip"))
            elif name == "deflate":
                self._chain.append(_Zlib("deflate"))
            elif name == "br" and HAS_BROTLI:
                self._chain.append(_Brotli())
            else:
                raise FetchError(f"unsupported Content-Encoding {name!r}")
        if not self._chain:
            self._chain.append(_Identity())
        self._limit = limit
        self.size = 0

    def feed(self, data: bytes) -> bytes:
        for decoder in self._chain:
            data = decoder.feed(data, self._limit - self.size)
        return self._account(data)

    def flush(self) -> bytes:
        data = b""
        for decoder in self._chain:
            if data:
                data = decoder.feed(data, self._limit - self.size)
            data += decoder.flush(self._limit - self.size)
        return self._account(data)

    def _account(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self._limit:
            raise ResponseTooLargeError(f"decoded body exceeds the {self._limit} byte limit")
        return data
