from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from monitor.web.app import create_app
from tests.monitor.web.seed import NOW, Seeded, fake_scorer, seed


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    data = seed(tmp_path)
    yield data
    data.ctx.close()


def make_client(data: Seeded, *, secure: bool = False) -> TestClient:
    app = create_app(data.ctx, secure_cookies=secure, clock=lambda: NOW, scorer_factory=fake_scorer)
    base = "https://testserver" if secure else "http://testserver"
    return TestClient(app, base_url=base, follow_redirects=False)


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with make_client(seeded) as c:
        yield c


def bearer(data: Seeded, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {data.tokens[role]}"}
