"""Regenerate ``rules/data/t2s_chars.txt`` from OpenCC and ``rules/data/fold_table.json`` from it and
Unicode NFKC (``python -m rules.gen_t2s_table``; ``--fold-only`` skips OpenCC).

Why a generated table instead of OpenCC at run time: folding must stay 1:1 per character so that spans map
back to the original text, and loading OpenCC costs start-up time that ``brandguard check`` cannot afford.
Only single-character -> single-character conversions are kept (OpenCC ``t2s`` applied to each character
on its own line, so no phrase rule can join neighbours).
"""

from __future__ import annotations

from pathlib import Path

TABLE_PATH = Path(__file__).with_name("data") / "t2s_chars.txt"
_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))


def build_pairs() -> list[tuple[str, str]]:
    import opencc

    converter = opencc.OpenCC("t2s")
    chars = [chr(cp) for lo, hi in _RANGES for cp in range(lo, hi + 1)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("OpenCC changed the number of lines; cannot build a 1:1 table")
    return [(src, dst) for src, dst in zip(chars, converted, strict=True) if len(dst) == 1 and dst != src]


def write_fold_table() -> Path:
    import json

    from rules.normalize import _TABLE_PATH, build_fold_table

    table = json.dumps(build_fold_table(), ensure_ascii=False, sort_keys=True)
    _TABLE_PATH.write_text(table, encoding="utf-8")
    return _TABLE_PATH


def main() -> None:
    import sys

    if "--fold-only" not in sys.argv:
        pairs = build_pairs()
        TABLE_PATH.parent.mkdir(parents=True, exist_ok=True)
        TABLE_PATH.write_text("".join(f"{src}{dst}\n" for src, dst in pairs), encoding="utf-8")
        print(f"wrote {len(pairs)} pairs to {TABLE_PATH}")
    print(f"wrote {write_fold_table()}")


if __name__ == "__main__":
    main()
