"""Build brand_mentions.csv from the hand-written sentence files (run once; the CSV is committed).

``.venv/bin/python -m models.data.make_brand_mentions``

Each sentence in ``sentences_*.txt`` was written for this project about fictitious brands; ``{b}`` is
replaced by a brand of the sentence's sector. Brand and split are derived from a hash of the sentence
itself, so adding sentences never moves existing ones between splits: about 30% go to ``test``,
which is never used for training or tuning. Sentences listed in ``inspected_during_development.txt``
were read during error analysis and are therefore always ``train``.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = ("sentences_negative.txt", "sentences_other.txt", "sentences_more.txt", "sentences_extra.txt")
OUTPUT = HERE / "brand_mentions.csv"
INSPECTED = HERE / "inspected_during_development.txt"
TEST_PERCENT = 30

# All invented for this data set; any resemblance to a real company is accidental.
BRANDS: dict[str, tuple[str, ...]] = {
    "P": ("星河手机", "极光耳机", "蓝鲸电子", "启明科技"),
    "D": ("青禾乳业", "麦香园食品", "山泉牧场", "禾田零食"),
    "C": ("云帆汽车", "驰远新能源", "北辰汽车"),
    "M": ("木棉美妆", "雪岚护肤", "花间集彩妆"),
    "K": ("极光咖啡", "椰岛茶饮", "暖阳烘焙"),
    "S": ("速达快递", "云栖旅行", "青橙金融", "鸿雁航空"),
}


def read_blocks(path: Path) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    kind = label = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            kind, label = line.strip("[]").split()
            continue
        sector, text = line.split("\t", 1)
        rows.append((kind, label, sector, text))
    return rows


def _template_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16)


def _inspected_templates(templates: set[str]) -> set[str]:
    lines = [ln.strip() for ln in INSPECTED.read_text(encoding="utf-8").splitlines()]
    brands = [b for group in BRANDS.values() for b in group]
    found: set[str] = set()
    for line in lines:
        if not line or line.startswith("#"):
            continue
        matches = {line.replace(b, "{b}") for b in brands} & templates
        if not matches:
            raise SystemExit(f"inspected sentence not found in the sources: {line}")
        found |= matches
    return found


def build() -> list[dict[str, str]]:
    all_brands = tuple(b for group in BRANDS.values() for b in group)
    sentences = [row for name in SOURCES for row in read_blocks(HERE / name)]
    inspected = _inspected_templates({text for _, _, _, text in sentences})
    out: list[dict[str, str]] = []
    for kind, label, sector, template in sentences:
        digest = _template_hash(template)
        choices = all_brands if sector == "G" else BRANDS[sector]
        brand = choices[digest % len(choices)]
        test = (digest // 7919) % 100 < TEST_PERCENT and template not in inspected
        out.append(
            {
                "id": f"bm{len(out) + 1:04d}",
                "split": "test" if test else "train",
                "kind": kind,
                "label": label,
                "text": template.replace("{b}", brand),
            }
        )
    return out


def main() -> None:
    rows = build()
    texts = [r["text"] for r in rows]
    if len(set(texts)) != len(texts):
        raise SystemExit("duplicate sentences in the source files")
    with OUTPUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "split", "label", "kind", "text"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUTPUT}")


if __name__ == "__main__":
    main()
