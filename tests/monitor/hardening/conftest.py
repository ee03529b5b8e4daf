from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    from monitor.storage.engine import open_database

    engine = open_database(sqlite_url)
    try:
        yield engine
    finally:
        engine.dispose()
