"""`brandguard check`: formats, inputs, exit codes (DESIGN.md contract)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import main

DRAFT = "新品上市！\n全网第一的扫地机器人，最 好用。\n"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.fixture
def draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "draft.md"
    path.write_text(DRAFT, encoding="utf-8")
    return path


def test_json_contract(draft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(draft), "--format", "json"], capsys)
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == 1
    (result,) = doc["results"]
    assert result["path"] == str(draft)
    assert result["summary"] == {"error": 2, "warning": 0, "info": 0}
    texts = [(f["text"], f["line"], f["column"]) for f in result["findings"]]
    assert texts == [("全网第一", 2, 1), ("最 好", 2, 12)]
    for f in result["findings"]:
        assert DRAFT[f["start"] : f["end"]] == f["text"]
        assert f["category"] == "ad_law" and f["law"] and f["article"] and f["suggestions"]


def test_text_output_has_location_context_article_and_suggestion(
    draft: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", str(draft)], capsys)
    assert code == 1
    assert f"{draft}:2:1: error [ad_law.absolute_terms]" in out
    assert ">>全网第一<<的扫地机器人" in out
    assert "第九条第（三）项" in out and "建议:" in out
    assert "\033[" not in out  # not a TTY: no colour


def test_colour_can_be_forced(draft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["check", str(draft), "--color", "always"], capsys)
    assert "\033[1;4;31m全网第一\033[0m" in out


def test_sarif(draft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(draft), "--format", "sarif"], capsys)
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    result = run_["results"][0]
    assert rule_ids[result["ruleIndex"]] == result["ruleId"] == "ad_law.absolute_terms"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (2, 1, 5)
    assert region["snippet"]["text"] == "全网第一"
    assert result["level"] == "error"


def test_sarif_marks_waived_findings_as_suppressed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "waived.md"
    marker = "<!-- brandguard-waive ad_law.absolute_terms 榜单证书 118 -->"
    path.write_text(f"全网第一 {marker}\n", encoding="utf-8")
    code, out, _ = run(["check", str(path), "--format", "sarif"], capsys)
    assert code == 0
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "榜单证书 118"}]


@pytest.mark.parametrize(
    ("fail_on", "text", "code"),
    [
        ("error", "联系13812345678", 0),
        ("warning", "联系13812345678", 1),
        ("never", "全网第一", 0),
        ("error", "全网第一", 1),
        ("error", "温和不刺激", 0),
    ],
)
def test_fail_on(
    fail_on: str, text: str, code: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_stdin(monkeypatch, text.encode())
    assert run(["check", "--fail-on", fail_on, "--format", "json"], capsys)[0] == code


def test_stdin_path_is_dash(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    feed_stdin(monkeypatch, "\ufeff顶级".encode())
    code, out, _ = run(["check", "-", "--format", "json"], capsys)
    doc = json.loads(out)
    assert code == 1
    assert doc["results"][0]["path"] == "-"
    assert doc["results"][0]["findings"][0]["start"] == 0  # BOM removed before offsets


def test_empty_input_is_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, _ = run(["check", str(empty), "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)["results"][0]["findings"] == []


def test_gbk_file_is_decoded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("旧稿：国家级工艺".encode("gbk"))
    code, out, _ = run(["check", str(path), "--format", "json"], capsys)
    result = json.loads(out)["results"][0]
    assert code == 1
    assert result["encoding"] == "gb18030"
    assert result["findings"][0]["text"] == "国家级"
    # The audit hash is of the decoded text, so the same draft hashes the same in any encoding.
    assert result["text_sha256"] == hashlib.sha256("旧稿：国家级工艺".encode()).hexdigest()


def test_directory_recursion_skips_binary_and_other_extensions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("顶级", encoding="utf-8")
    (tmp_path / "a" / "two.HTML").write_text("<p title='最佳'>全网第一</p>", encoding="utf-8")
    (tmp_path / "a" / "three.py").write_text("最佳 = 1", encoding="utf-8")
    (tmp_path / "a" / "image.md").write_bytes(b"\x89PNG\x00\x00\x00")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("顶级", encoding="utf-8")
    code, out, err = run(["check", str(tmp_path), "--format", "json"], capsys)
    assert code == 1
    results = {Path(r["path"]).name: r for r in json.loads(out)["results"]}
    assert set(results) == {"one.txt", "two.HTML"}
    # HTML tags are masked: the attribute's 最佳 is not copy, the paragraph text is.
    assert [f["text"] for f in results["two.HTML"]["findings"]] == ["全网第一"]
    assert "notice: skipping" in err and "image.md" in err


def test_undecodable_file_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes("café crème brûlée".encode("latin-1"))
    code, _, err = run(["check", str(bad)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "bad.txt" in err and "cannot be decoded" in err
    assert "Traceback" not in err


def test_explicit_binary_file_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "logo.txt"
    binary.write_bytes(b"\x00\x01\x02")
    code, _, err = run(["check", str(binary)], capsys)
    assert code == 2 and "binary" in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", str(tmp_path / "nope.md")], capsys)
    assert code == 2
    assert err.strip() == f"brandguard: error: {tmp_path / 'nope.md'}: no such file or directory"


def test_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.txt"
    big.write_text("温和" * 100, encoding="utf-8")
    code, _, err = run(["check", str(big), "--max-bytes", "100"], capsys)
    assert code == 2 and "over the per-file limit" in err


def test_waiver_file(draft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path(".brandguard-waivers.toml").write_text(
        '[[waivers]]\nrule = "ad_law.absolute_terms"\ntext = "全网第一"\nreason = "榜单证书 118"\n',
        encoding="utf-8",
    )
    code, out, _ = run(["check", str(draft), "--format", "json"], capsys)
    result = json.loads(out)["results"][0]
    waived = [f for f in result["findings"] if f["waived"]]
    assert [(f["text"], f["waiver_reason"]) for f in waived] == [("全网第一", "榜单证书 118")]
    assert result["summary"]["error"] == 1
    assert code == 1


def test_bad_waiver_file_is_one_line(draft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("w.toml").write_text('[[waivers]]\nrule = "*"\n', encoding="utf-8")
    code, _, err = run(["check", str(draft), "--waivers", "w.toml"], capsys)
    assert code == 2 and err.count("\n") == 1 and "'reason' is required" in err


def test_check_does_not_import_heavy_libraries(draft: Path) -> None:
    code = (
        "import sys\n"
        "from monitor.cli import main\n"
        f"rc = main(['check', {str(draft)!r}, '--format', 'json'])\n"
        "heavy = [m for m in ('sklearn', 'jieba', 'httpx', 'fastapi', 'opencc') if m in sys.modules]\n"
        "sys.stderr.write(repr(heavy))\n"
        "raise SystemExit(0 if not heavy and rc == 1 else 3)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_pre_commit_hook_definition() -> None:
    import re

    hooks = (Path(__file__).resolve().parents[3] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: brandguard-check\n" in hooks
    assert "entry: brandguard check\n" in hooks
    pattern = re.search(r"files: (\S+)", hooks)
    assert pattern is not None
    assert re.search(pattern.group(1), "campaign/draft.md") and re.search(pattern.group(1), "a.htm")
    assert not re.search(pattern.group(1), "script.py")


def test_info_and_waived_in_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text(
        "本品最佳食用期为7天\n# brandguard-waive ad_law.absolute_terms 证书 118\n全网第一\n", encoding="utf-8"
    )
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 0
    assert f"{path}:1:3: info [ad_law.absolute_terms] 可能适用豁免" in out
    assert f"{path}:3:1: waived [ad_law.absolute_terms]" in out
    assert "已豁免 (waived): 证书 118" in out
    assert out.rstrip().endswith("1 file checked: 0 error(s), 0 warning(s), 1 info, 1 waived")


def test_bad_max_bytes_is_a_usage_error(draft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", str(draft), "--max-bytes", "0"], capsys)
    assert code == 2 and "--max-bytes" in err


def test_stdin_over_the_limit(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    feed_stdin(monkeypatch, "温和".encode() * 50)
    code, _, err = run(["check", "--max-bytes", "10"], capsys)
    assert code == 2 and err.startswith("brandguard: error: -: ")


def test_input_errors_do_not_stop_other_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.md"
    good.write_text("顶级", encoding="utf-8")
    code, out, err = run(["check", str(tmp_path / "missing.md"), str(good), "--format", "json"], capsys)
    assert code == 2
    assert [r["path"] for r in json.loads(out)["results"]] == [str(good)]
    assert "missing.md: no such file or directory" in err


TEAM_PACK = """
[pack]
name = "team"
version = "7"

[[rules]]
id = "team.competitor"
category = "ad_law"
severity = "warning"
law = "中华人民共和国反不正当竞争法"
article = "第十一条"
message = "广告中点名竞品。"
suggestions = ["删除竞品名称"]
terms = ["某某电器"]
"""


def test_extra_pack_in_json_and_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "team.toml"
    pack.write_text(TEAM_PACK, encoding="utf-8")
    draft = tmp_path / "d.md"
    draft.write_text("比某某電器更省电", encoding="utf-8")
    code, out, _ = run(["check", str(draft), "--pack", str(pack), "--format", "json"], capsys)
    result = json.loads(out)["results"][0]
    assert code == 0  # a warning does not fail the default --fail-on error
    assert [(f["rule_id"], f["text"]) for f in result["findings"]] == [("team.competitor", "某某電器")]
    assert result["rule_versions"]["team"] == "7"
    _, out, _ = run(["check", str(draft), "--pack", str(pack), "--format", "sarif"], capsys)
    sarif_run = json.loads(out)["runs"][0]
    rule_ids = [r["id"] for r in sarif_run["tool"]["driver"]["rules"]]
    assert rule_ids[sarif_run["results"][0]["ruleIndex"]] == "team.competitor"


def test_broken_extra_pack_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "team.toml"
    pack.write_text(TEAM_PACK.replace('severity = "warning"', 'severity = "loud"'), encoding="utf-8")
    code, _, err = run(["check", "--pack", str(pack), "--list-rules"], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "team.toml: rule 'team.competitor': severity" in err


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--list-rules"], capsys)
    assert code == 0
    assert "# ad_law " in out and "ad_law.absolute_terms\terror\tad_law\t" in out
    assert "pii.mobile\twarning" in out


def test_parallel_jobs_give_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import monitor.commands.check as check_command

    for n in range(6):
        (tmp_path / f"d{n}.md").write_text(f"第{n}稿：全网第一，联系1381234567{n}\n", encoding="utf-8")
    (tmp_path / "bin.md").write_bytes(b"\x00\x01")
    code1, serial, err1 = run(["check", str(tmp_path), "--format", "json", "--jobs", "1"], capsys)
    monkeypatch.setattr(check_command, "PARALLEL_MIN_BYTES", 0)
    code2, parallel, err2 = run(["check", str(tmp_path), "--format", "json", "--jobs", "2"], capsys)
    assert (code1, serial, err1) == (code2, parallel, err2)
    assert len(json.loads(parallel)["results"]) == 6
    assert "notice: skipping" in err2
