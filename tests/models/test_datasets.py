from __future__ import annotations

from pathlib import Path

import pytest

from models.datasets import read_labelled, read_texts
from models.errors import DataError


def test_csv_and_jsonl(tmp_path: Path) -> None:
    csv_file = tmp_path / "a.csv"
    csv_file.write_text('text,label,split\n"好,很好",positive,train\n差,negative,test\n', encoding="utf-8")
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(
        '{"text": "好", "label": "POSITIVE"}\n\n{"text": "一般", "label": "neutral"}\n', encoding="utf-8"
    )
    assert [(e.text, e.label) for e in read_labelled(csv_file)] == [
        ("好,很好", "positive"),
        ("差", "negative"),
    ]
    assert [e.text for e in read_labelled(csv_file, split="test")] == ["差"]
    assert [e.label for e in read_labelled(jsonl)] == ["positive", "neutral"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", b"text,label\nx,angry\n", r"bad.csv: line 2: label 'angry'"),
        ("cols.csv", b"body,label\nx,positive\n", "needs 'text' and 'label'"),
        ("bytes.csv", b"text,label\nx,positive\n\xff\xfe,negative\n", r"bytes.csv: line 3: not valid UTF-8"),
        (
            "bad.jsonl",
            b'{"text": "x", "label": "neutral"}\n[1]\n',
            r"bad.jsonl: line 2: expected a JSON object",
        ),
        ("broken.jsonl", b"{oops\n", r"broken.jsonl: line 1: not JSON"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        read_labelled(path)


def test_split_filter_needs_a_split_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("text,label\nx,positive\n", encoding="utf-8")
    with pytest.raises(DataError, match="no 'split' column"):
        read_labelled(path, split="test")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        read_labelled(tmp_path / "nope.csv")


def test_unlabelled_texts(tmp_path: Path) -> None:
    csv_file = tmp_path / "h.csv"
    csv_file.write_text("topic,text\nsports,比赛结束\n", encoding="utf-8")
    txt = tmp_path / "h.txt"
    txt.write_text("一\n\n二\n", encoding="utf-8")
    assert read_texts(csv_file) == ["比赛结束"]
    assert read_texts(txt) == ["一", "二"]
