from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """SQLite only: most alert tests are about logic, not the backend (``engine`` runs both)."""
    from monitor.storage.engine import open_database

    eng = open_database(sqlite_url)
    try:
        yield eng
    finally:
        eng.dispose()
