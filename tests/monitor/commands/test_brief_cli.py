"""`brandguard report brief` and `brandguard mentions export`: formats, files, one-line usage errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import time_machine

from monitor.cli import main
from tests.monitor.reports.fixture_data import NOW, seed
from tests.monitor.web.test_brief_pages import CONFIG


@pytest.fixture
def args(tmp_path: Path) -> list[str]:
    from monitor.storage.engine import open_database

    (tmp_path / "brandguard.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "data").mkdir()
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'brandguard.db'}")
    seed(engine)
    engine.dispose()
    return ["--config", str(tmp_path / "brandguard.toml"), "--data-dir", str(tmp_path / "data")]


@time_machine.travel(NOW, tick=False)
def test_weekly_brief_as_json_and_markdown(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*args, "report", "brief", "--period", "week", "--format", "json", "--no-keywords"]) == 0
    brief = json.loads(capsys.readouterr().out)
    assert brief["volume"]["by_day"] == [2, 0, 1, 0, 0, 0, 1] and brief["keywords"] == []
    assert main([*args, "report", "brief", "--since", "2026-11-23", "--no-keywords"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# 甲品牌 舆情周报 2026-11-23 ~ 2026-11-29")
    assert "| 2026-11-24 | 0 | 1 | 0 | 0 | 0 |" in text  # an empty day, against the previous week
    assert main([*args, "report", "sla", "--format", "json"]) == 0  # the older report still works
    assert json.loads(capsys.readouterr().out)["incidents"] == 2


@time_machine.travel(NOW, tick=False)
def test_xlsx_and_html_go_to_files(args: list[str], tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "brief.xlsx"
    assert main([*args, "report", "brief", "--format", "xlsx", "--out", str(out), "--no-keywords"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "概览"
    html = tmp_path / "brief.html"
    assert main([*args, "report", "brief", "--format", "html", "--out", str(html), "--no-keywords"]) == 0
    assert html.read_text(encoding="utf-8").count("<svg") == 4


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "xlsx"], "--format xlsx needs --out FILE"),
        (["--brand", "丙"], "--brand: unknown brand '丙'"),
        (["--since", "2026-13-01"], "--since: expected a local date YYYY-MM-DD"),
        (["--out", "/nonexistent/dir/x.md"], "--out: cannot write /nonexistent/dir/x.md"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    args: list[str], extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*args, "report", "brief", "--no-keywords", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_mentions_export_csv_round_trips(args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    assert main([*args, "mentions", "export", "--brand", "乙品牌", "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 7 and {r[1] for r in rows[1:]} == {"乙品牌"}
    assert main([*args, "mentions", "export", "--source", "nope", "--out", str(out)]) == 2


@time_machine.travel(NOW, tick=False)
def test_db_rollup_summarises_on_demand(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*args, "db", "rollup"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("brief rollup: ") and out.rstrip().endswith(", 0 waiting")
    assert " 0 mention ids" not in out  # the seeded mentions were folded in
    assert main([*args, "db", "rollup"]) == 0
    assert capsys.readouterr().out == "brief rollup: 0 mention ids folded in, 0 waiting\n"


def test_the_daemon_runs_the_rollup_tick(args: list[str]) -> None:
    from monitor.commands.run import rollup_ticks
    from monitor.context import Context
    from monitor.reports.rollup import lag

    ctx = Context(config_path=Path(args[1]), data_dir=Path(args[3]))
    try:
        ((name, tick, every),) = rollup_ticks(ctx)
        assert (name, every) == ("brief-rollup", 60)
        assert lag(ctx.engine) > 0
        tick(NOW)
        assert lag(ctx.engine) == 0
    finally:
        ctx.close()
