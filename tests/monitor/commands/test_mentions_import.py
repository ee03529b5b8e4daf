"""``brandguard mentions import FILE.jsonl``: 10,000 rows stored once each, bad rows one line each."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.cli import main
from monitor.crawl import steps
from monitor.crawl.pipeline import Score
from monitor.storage.engine import open_database
from monitor.storage.schema import mentions


def fake_scorer() -> object:
    def score(texts: Sequence[str]) -> list[Score]:
        return [
            Score("negative" if "投诉" in t else "neutral", 0.9 if "投诉" in t else 0.1, ()) for t in texts
        ]

    return score


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(steps, "make_scorer", fake_scorer)
    (tmp_path / "brandguard.toml").write_text(
        '[[brands]]\nname = "云朵奶茶"\nquery = \'云朵奶茶 OR "Cloud Tea"\'\n', encoding="utf-8"
    )
    return tmp_path


def _args(project: Path, *rest: str) -> list[str]:
    return ["--config", str(project / "brandguard.toml"), "--data-dir", str(project / "data"), *rest]


def _row(i: int, **extra: object) -> str:
    row = {
        "platform": "weibo",
        "id": str(5_000_000_000 + i),
        "text": f"云朵奶茶 第{i}条 {'门店被投诉' if i % 3 == 0 else '新品好喝'}",
        "author": f"用户{i}",
        "followers": i * 10,
        "reposts": i % 7,
        "comments": i % 5,
        "likes": i % 11,
        "published_at": "2026-11-20T14:05:00+08:00",
        "url": f"https://weibo.com/u/{i}",
        **extra,
    }
    return json.dumps(row, ensure_ascii=False)


def _stored(project: Path) -> int:
    engine = open_database(f"sqlite:///{project / 'data' / 'brandguard.db'}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(mentions)).scalar_one())
    finally:
        engine.dispose()


def test_10000_rows_stored_once_each_and_a_second_import_stores_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "rows.jsonl"
    path.write_text("\n".join(_row(i) for i in range(10_000)) + "\n", encoding="utf-8")
    assert main(_args(project, "mentions", "import", str(path), "--format", "json")) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["received"], first["stored"], first["rejected"]) == (10_000, 10_000, 0)
    assert main(_args(project, "mentions", "import", str(path), "--format", "json")) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["stored"], again["duplicates"]) == (0, 10_000)
    assert _stored(project) == 10_000


def test_each_bad_row_is_one_line_with_its_number_and_nothing_else_is_lost(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        _row(1),
        _row(2, followers=-5),
        "{not json",
        "",
        _row(5, published_at="昨天"),
        _row(6, platform=""),
        _row(7, url="ftp://x"),
        json.dumps({"platform": "weibo", "id": "8", "published_at": "2026-11-20T14:05:00+08:00"}),
        _row(9, colour="red"),
        _row(10),
        "[1, 2]",
    ]
    path = project / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(_args(project, "mentions", "import", str(path))) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"{path}:2: followers: must be a non-negative integer (got -5)",
        f"{path}:3: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{path}:5: published_at: not an ISO 8601 time (got '昨天')",
        f"{path}:6: platform: must not be empty",
        f"{path}:7: url: must start with http:// or https:// (got 'ftp://x')",
        f"{path}:8: a mention needs a text or a title",
        f"{path}:9: unknown field(s) colour (known: author, brand, comments, followers, id, likes, platform, "
        "published_at, reposts, text, title, url)",
        f"{path}:11: expected a JSON object (got list)",
    ]
    assert "2 stored" in out and "8 rejected" in out
    assert _stored(project) == 2
    assert "Traceback" not in err


def test_missing_file_is_one_line_and_exit_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(project, "mentions", "import", str(project / "nope.jsonl"))) == 2
    err = capsys.readouterr().err
    assert "nope.jsonl: cannot read" in err and len(err.strip().splitlines()) == 1
