from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from monitor.audit.signing import KEY_ENV, KEY_ID_ENV


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    from monitor.storage.engine import open_database

    engine = open_database(sqlite_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def _audit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's real key in the environment must not leak into (or break) the tests.
    monkeypatch.setenv(KEY_ENV, "0123456789abcdef0123456789abcdef")
    monkeypatch.setenv(KEY_ID_ENV, "test-key")
