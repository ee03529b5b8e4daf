"""`brandguard mentions list`: filters, formats, Asia/Shanghai display times, one-line usage errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from monitor.cli import main
from monitor.commands.mentions import parse_since

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    from monitor.storage.engine import open_database
    from monitor.storage.mentions_repo import insert_mention

    data = tmp_path / "data"
    data.mkdir()
    engine = open_database(f"sqlite:///{data / 'brandguard.db'}")
    rows = [
        ("星河手机", "星河手机电池鼓包", "negative", 0.93, NOW - timedelta(hours=2)),
        ("星河手机", "星河手机新品发布", "positive", 0.05, NOW - timedelta(days=3)),
        ("云朵奶茶", "云朵奶茶喝出异物", "negative", 0.88, NOW - timedelta(hours=30)),
    ]
    with engine.begin() as conn:
        for i, (brand, title, label, p_negative, published) in enumerate(rows):
            insert_mention(
                conn,
                {
                    "brand": brand,
                    "dedup_key": f"k{i}",
                    "story_key": f"s{i}",
                    "title": title,
                    "text": title + "，详情见正文。",
                    "url": f"https://news.example.com/{i}",
                    "published_at": published,
                    "fetched_at": NOW,
                    "label": label,
                    "p_negative": p_negative,
                    "risk_terms": [],
                },
            )
    engine.dispose()
    return data


def run(data_dir: Path, *args: str) -> int:
    with time_machine.travel(NOW, tick=False):
        return main(["--data-dir", str(data_dir), "mentions", "list", *args])


def test_text_lists_newest_first_in_shanghai_time(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data_dir) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line[:4] == "2026"]
    assert [line.split()[0:2] for line in lines] == [
        ["2026-11-23", "14:00"],  # 06:00 UTC
        ["2026-11-22", "10:00"],
        ["2026-11-20", "16:00"],
    ]
    assert "星河手机电池鼓包" in lines[0] and "negative" in lines[0] and "0.93" in lines[0]
    assert "times in Asia/Shanghai" in out


@pytest.mark.parametrize(
    ("args", "titles"),
    [
        (["--brand", "星河手机"], ["星河手机电池鼓包", "星河手机新品发布"]),
        (["--since", "24h"], ["星河手机电池鼓包"]),
        (["--since", "2d"], ["星河手机电池鼓包", "云朵奶茶喝出异物"]),
        (["--since", "2026-11-22"], ["星河手机电池鼓包", "云朵奶茶喝出异物"]),  # midnight Shanghai
        (["--since", "2026-11-22T10:30"], ["星河手机电池鼓包"]),
        (["--negative"], ["星河手机电池鼓包", "云朵奶茶喝出异物"]),
        (["--negative", "--brand", "云朵奶茶"], ["云朵奶茶喝出异物"]),
        (["--limit", "1"], ["星河手机电池鼓包"]),
        (["--brand", "无此品牌"], []),
    ],
)
def test_json_filters(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], titles: list[str]
) -> None:
    assert run(data_dir, "--format", "json", *args) == 0
    document = json.loads(capsys.readouterr().out)
    assert [m["title"] for m in document["mentions"]] == titles


def test_json_fields(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data_dir, "--format", "json", "--limit", "1") == 0
    [mention] = json.loads(capsys.readouterr().out)["mentions"]
    assert mention["published_at"] == "2026-11-23T14:00:00+08:00"
    assert mention["brand"] == "星河手机"
    assert mention["label"] == "negative" and mention["p_negative"] == pytest.approx(0.93)
    assert mention["url"] == "https://news.example.com/0"


@pytest.mark.parametrize(
    "args", [["--since", "yesterday"], ["--since", "7x"], ["--limit", "0"], ["--format", "xml"]]
)
def test_bad_arguments_are_one_line_exit_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    try:
        status = run(data_dir, *args)
    except SystemExit as exc:  # argparse rejects --limit/--format itself, through the same one-line path
        status = int(exc.code or 0)
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("brandguard: error: ") and err.count("\n") == 1


def test_parse_since_relative_and_local_dates() -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    assert parse_since("30m", now=NOW, tz=tz) == NOW - timedelta(minutes=30)
    assert parse_since("1w", now=NOW, tz=tz) == NOW - timedelta(days=7)
    assert parse_since("2026-11-23", now=NOW, tz=tz) == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert parse_since("2026-11-23T08:00+00:00", now=NOW, tz=tz) == NOW
