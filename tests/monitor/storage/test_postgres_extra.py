"""Without the `postgres` extra, a postgresql URL fails with one line saying what to install."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.errors import StorageError
from monitor.storage.engine import open_database


@pytest.fixture
def no_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else real(name, *a)
    )


def test_open_database_names_the_extra(no_psycopg: None) -> None:
    with pytest.raises(StorageError, match=r"pip install 'brandguard\[postgres\]'"):
        open_database("postgresql://bg:secret@127.0.0.1:1/bg")


def test_the_cli_prints_one_line_and_exits_2(
    no_psycopg: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRANDGUARD_DATABASE_URL", "postgresql://bg:secret@127.0.0.1:1/bg")
    assert main(["--data-dir", str(tmp_path), "sources", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "brandguard[postgres]" in err and "secret" not in err
