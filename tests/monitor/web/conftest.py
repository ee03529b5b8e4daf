from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # starlette 1.x warns at import that it prefers httpx2; httpx 0.28 is what we ship and test with.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from monitor.context import Context
from monitor.web import accounts as users
from monitor.web.app import create_app
from tests.monitor.web.seed import NOW, Seeded, fake_scorer, seed

# Argon2 at its defaults costs ~0.5 s per hash on a busy 2-core CI machine; the tests check behaviour,
# not the KDF cost (test_users pins that production uses the defaults).
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


@pytest.fixture(scope="session")
def _seed_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Seeded]]:
    saved = dict(users.PASSWORD_HASHER_PARAMS)
    users.PASSWORD_HASHER_PARAMS.update(FAST_ARGON2)
    directory = tmp_path_factory.mktemp("web-template")
    data = seed(directory)
    data.ctx.close()
    yield directory, data
    users.PASSWORD_HASHER_PARAMS.clear()
    users.PASSWORD_HASHER_PARAMS.update(saved)


@pytest.fixture
def seeded(_seed_template: tuple[Path, Seeded], tmp_path: Path) -> Iterator[Seeded]:
    """A private copy of the seeded database (copying is ~100x cheaper than seeding)."""
    template, data = _seed_template
    target = tmp_path / "data"
    shutil.copytree(template, target)
    copy = Seeded(Context(config_path=None, data_dir=target), dict(data.tokens), data.incident_id)
    yield copy
    copy.ctx.close()


def make_client(data: Seeded, *, secure: bool = False) -> TestClient:
    app = create_app(data.ctx, secure_cookies=secure, clock=lambda: NOW, scorer_factory=fake_scorer)
    base = "https://testserver" if secure else "http://testserver"
    client = TestClient(app, base_url=base, follow_redirects=False)
    client.fastapi_app = app  # type: ignore[attr-defined]
    return client


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with make_client(seeded) as c:
        yield c


def bearer(data: Seeded, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {data.tokens[role]}"}
