"""Request limits before any work (issue 11): an oversized body is refused 413 before it is read and
before authentication, on a real loopback server; findings are capped in answers and audit entries."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from monitor.audit import record
from monitor.audit.query import list_entries
from monitor.web import drafts
from monitor.web.app import create_app
from monitor.web.body_limit import MAX_BODY_BYTES
from tests.monitor.web.live_server import serve_in_thread
from tests.monitor.web.seed import NOW, Seeded, fake_scorer


@pytest.fixture
def server(seeded: Seeded) -> Iterator[str]:
    app = create_app(seeded.ctx, secure_cookies=False, clock=lambda: NOW, scorer_factory=fake_scorer)
    with serve_in_thread(app) as base:
        yield base


def _raw(base: str, head: bytes) -> bytes:
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_declared_oversized_body_is_413_before_a_byte_is_sent(server: str) -> None:
    # Only the headers go out: the answer arrives without the server waiting for 300 MB.
    answer = _raw(
        server,
        b"POST /api/v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 300000000\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:100]
    assert b"request body larger than 8,388,608 bytes" in answer


def test_streamed_oversized_body_without_credentials_is_413_not_401(server: str) -> None:
    def body() -> Iterator[bytes]:
        chunk = b"x" * 65536
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    response = httpx.post(f"{server}/api/v1/check", content=body(), timeout=30)
    assert response.status_code == 413
    # a small anonymous body still gets the ordinary answer
    assert httpx.post(f"{server}/api/v1/check", json={"text": "x"}, timeout=10).status_code == 401


def test_bad_content_length_is_refused(server: str) -> None:
    answer = _raw(server, b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] in (b"400", b"413")


def test_findings_are_capped_in_the_answer_and_the_audit_entry(
    seeded: Seeded, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drafts, "MAX_RETURNED_FINDINGS", 5)
    monkeypatch.setattr(record, "MAX_RECORDED_FINDINGS", 3)
    token = seeded.tokens["copywriter"]
    text = "\n".join(["最好的产品"] * 12)
    response = client.post("/api/v1/check", json={"text": text}, headers={"Authorization": f"Bearer {token}"})
    result = response.json()["results"][0]
    total = result["findings_total"]
    assert total >= 12 and result["findings_truncated"] is True and len(result["findings"]) == 5
    assert sum(result["summary"][k] for k in ("error", "warning", "info")) == total
    data = list_entries(seeded.ctx.engine, kind="check")[-1].data
    assert len(data["findings"]) == 3 and data["findings_total"] == total
    assert sum(data["summary"][k] for k in ("error", "warning", "info", "waived")) == total
    assert data["findings_note"].startswith("only the first 3 of ")
