"""`brandguard sentiment` and `brandguard model` through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import main

ROOT = Path(__file__).resolve().parents[3]
BRAND_MENTIONS = ROOT / "models" / "data" / "brand_mentions.csv"


def _run(*argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *argv], input=stdin, capture_output=True, check=False, cwd=ROOT
    )


def test_text_output_one_line_per_input_line_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.txt"
    src.write_text("星河手机宣布召回部分充电宝\n\n星河手机的拍照很清楚，推荐\n", encoding="utf-8")
    assert main(["sentiment", str(src)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    fields = [line.split("\t") for line in lines]
    assert [f[0] for f in fields] == ["negative", "neutral", "positive"]
    assert fields[1] == ["neutral", "0.0000", ""]
    assert fields[2][2] == "星河手机的拍照很清楚，推荐"
    assert 0.0 <= float(fields[0][1]) <= 1.0


def test_jsonl_contract_from_stdin() -> None:
    proc = _run("sentiment", "--format", "jsonl", stdin="\ufeff速达快递又把包裹弄丢了\r\nhello\n".encode())
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["text"] for r in records] == ["速达快递又把包裹弄丢了", "hello"]
    for record in records:
        assert set(record) == {"text", "label", "p_negative"}
        assert record["label"] in ("negative", "neutral", "positive")
        assert isinstance(record["p_negative"], float)


def test_invalid_utf8_is_one_line_and_exit_2() -> None:
    proc = _run("sentiment", "-", stdin=b"ok\n\xff\xfebad\n")
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "Traceback" not in err
    assert err.strip() == "brandguard: error: <stdin>: line 2: not valid UTF-8 (byte 1)"


def test_missing_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sentiment", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt: cannot read" in capsys.readouterr().err


def test_broken_model_dir_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sentiment", "--model", str(tmp_path), "-"]) == 2
    assert "metadata.json: model metadata is missing" in capsys.readouterr().err


def test_model_info_verifies_the_shipped_artifact(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "info"]) == 0
    meta = json.loads(capsys.readouterr().out)
    assert meta["labels"] == ["negative", "neutral", "positive"]
    assert {"scikit-learn", "numpy"} <= set(meta["versions"])


def test_evaluate_reports_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "model",
        "evaluate",
        "--data",
        str(BRAND_MENTIONS),
        "--split",
        "test",
        "--target-precision",
        "0.9",
    ]
    assert main([*argv, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["per_class"]) == {"negative", "neutral", "positive"}
    assert len(result["confusion_matrix"]) == 3
    assert 0.5 < result["roc_auc_negative"] <= 1.0
    assert main(argv) == 0
    assert "p_negative >=" in capsys.readouterr().out


def test_train_then_evaluate_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.jsonl"
    rows = [("太差了，再也不买", "negative"), ("很好用，推荐", "positive"), ("明天发布新品", "neutral")] * 4
    data.write_text(
        "".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in rows), encoding="utf-8"
    )
    out = tmp_path / "model"
    assert main(["model", "train", "--data", str(data), "--out", str(out), "--seed", "1"]) == 0
    assert "metadata.json SHA-256:" in capsys.readouterr().out
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert meta["training"]["seed"] == 1 and len(meta["data"][0]["sha256"]) == 64
    assert main(["model", "evaluate", "--data", str(data), "--model", str(out)]) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["model", "train", "--out", "x"], "give at least one --data"),
        (["model", "evaluate", "--data", "missing.csv"], "missing.csv: cannot read"),
        (["model", "evaluate", "--data", str(BRAND_MENTIONS), "--target-precision", "2"], "target-precision"),
    ],
)
def test_bad_model_arguments_are_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_many_lines_cross_batches_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from monitor.commands.sentiment import BATCH_SIZE

    texts = [f"第{i}条：云帆汽车{'召回' if i % 3 == 0 else '发布'}新车" for i in range(BATCH_SIZE * 2 + 5)]
    src = tmp_path / "many.txt"
    src.write_text("\n".join(texts) + "\n", encoding="utf-8")
    assert main(["sentiment", "--format", "jsonl", str(src)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in records] == texts
