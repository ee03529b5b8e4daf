"""HTTPS through the pinned transport: we connect to the checked IP literal, TLS still verifies the name."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpcore
import pytest

from monitor.fetch import FetchPolicy, FetchResult, fetch, guarded_client
from tests.integration.misbehaving_server import misbehaving_server

pytestmark = pytest.mark.integration

# ::1 too: "localhost" may resolve to both, and the guard refuses a name if ANY address is blocked.
POLICY = FetchPolicy(allow_networks=("127.0.0.0/8", "::1/128"), deadline_s=5.0)


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _leaf(directory: Path, name: str, san: str) -> None:
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(
        "req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=directory
    )
    (directory / f"{name}.ext").write_text(
        f"subjectAltName={san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    _openssl(
        "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=directory,
    )  # fmt: skip


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available to make a test CA")
    d = tmp_path_factory.mktemp("pki")
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=BrandGuard Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=d,
    )  # fmt: skip
    _leaf(d, "localhost", "DNS:localhost")
    _leaf(d, "other", "DNS:other.example")
    return d


def _server_context(pki: Path, name: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / f"{name}.pem", pki / f"{name}.key")
    return ctx


def _fetch(url: str, pki: Path) -> FetchResult:
    client_ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))

    async def go() -> FetchResult:
        async with guarded_client(POLICY, ssl_context=client_ctx) as client:
            return await fetch(url, policy=POLICY, client=client)

    return asyncio.run(go())


@pytest.fixture
def connected(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    hosts: list[str] = []
    real = httpcore.AnyIOBackend.connect_tcp

    async def spy(
        self: httpcore.AnyIOBackend, host: str, port: int, **kw: object
    ) -> httpcore.AsyncNetworkStream:
        hosts.append(host)
        return await real(self, host, port, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", spy)
    yield hosts


def test_https_connects_to_the_checked_ip_and_verifies_the_host_name(pki: Path, connected: list[str]) -> None:
    with misbehaving_server(tls=_server_context(pki, "localhost")) as server:
        url = server.url("/ok").replace("127.0.0.1", "localhost")
        result = _fetch(url, pki)
    assert result.status == "ok", result.error
    assert result.body
    # Only checked IP literals were dialled, never the name, while the certificate matched "localhost".
    assert "127.0.0.1" in connected
    assert set(connected) <= {"127.0.0.1", "::1"}


def test_a_certificate_for_another_name_is_refused(pki: Path) -> None:
    with misbehaving_server(tls=_server_context(pki, "other")) as server:
        result = _fetch(server.url("/ok").replace("127.0.0.1", "localhost"), pki)
    assert result.status == "error"
    assert (
        "CERTIFICATE_VERIFY_FAILED" in (result.error or "") or "certificate" in (result.error or "").lower()
    )
