"""Build social_mentions.csv from the hand-written social posts (run once; the CSV is committed).

``.venv/bin/python -m models.data.make_social_mentions``

Each line of ``social_*.txt`` is a post template written for this project in the style of Weibo,
小红书, 抖音 and B站 (emoticon codes, emoji, reposts, hashtags, slang, mixed English) about
fictitious brands; ``{b}`` is filled with TWO different brands of the template's sector, giving two
rows. The split is decided per TEMPLATE from a hash of its text, so both rows of a template are on the
same side and no template is in both train and test; adding templates never moves old ones. About 30%
of templates go to ``test``, which is never used for training or for choosing settings.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "social_mentions.csv"
TEST_PERCENT = 30
FILLS_PER_TEMPLATE = 2

# All invented for this data set; any resemblance to a real company is accidental.
BRANDS: dict[str, tuple[str, ...]] = {
    "P": ("星河手机", "极光耳机", "蓝鲸电子", "启明科技"),
    "D": ("青禾乳业", "麦香园食品", "山泉牧场", "禾田零食"),
    "C": ("云帆汽车", "驰远新能源", "北辰汽车"),
    "M": ("木棉美妆", "雪岚护肤", "花间集彩妆"),
    "K": ("极光咖啡", "椰岛茶饮", "暖阳烘焙"),
    "S": ("速达快递", "闪送达物流"),
    "T": ("云栖旅行", "鸿雁航空", "海鸥民宿"),
    "F": ("青橙金融", "稳盈理财", "金穗银行"),
    "G": ("幻塔互娱", "星穹游戏"),
    "E": ("学而优网校", "知行英语"),
    "A": ("疾风运动", "棉语服饰"),
    "H": ("暖居家电", "木森家居"),
    "B": ("贝乐母婴", "小象奶粉"),
    "W": ("好物优选", "淘米直播间"),
    "R": ("毛孩子宠物", "喵星球猫粮"),
    "V": ("光影视频", "追光影视"),
}
SECTORS = {
    "P": "electronics",
    "D": "food",
    "C": "cars",
    "M": "cosmetics",
    "K": "restaurants",
    "S": "logistics",
    "T": "travel",
    "F": "finance",
    "G": "games",
    "E": "education",
    "A": "apparel",
    "H": "home",
    "B": "baby",
    "W": "e-commerce",
    "R": "pets",
    "V": "streaming",
    "X": "any",
}


def read_templates(path: Path) -> list[tuple[str, str, str, str]]:
    """``(kind, label, sector, template)`` per post line; blocks start with ``[kind label]``."""
    rows: list[tuple[str, str, str, str]] = []
    kind = label = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]") and " " in line:
            kind, label = line.strip("[]").split()
            continue
        sector, _, template = line.partition(" ")
        if sector not in SECTORS or "{b}" not in template or not kind:
            raise SystemExit(f"{path.name}:{number}: expected 'SECTOR text with {{b}}' inside a block")
        rows.append((kind, label, sector, template))
    return rows


def _template_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16)


def sources() -> list[Path]:
    return sorted(HERE.glob("social_*.txt"))


def build() -> list[dict[str, str]]:
    every_brand = tuple(b for group in BRANDS.values() for b in group)
    out: list[dict[str, str]] = []
    for path in sources():
        for kind, label, sector, template in read_templates(path):
            digest = _template_hash(template)
            choices = every_brand if sector == "X" else BRANDS[sector]
            first = digest % len(choices)
            step = 1 + (digest // len(choices)) % (len(choices) - 1)
            split = "test" if (digest // 7919) % 100 < TEST_PERCENT else "train"
            for fill in range(FILLS_PER_TEMPLATE):
                brand = choices[(first + fill * step) % len(choices)]
                out.append(
                    {
                        "id": f"sm{len(out) + 1:04d}",
                        "split": split,
                        "label": label,
                        "kind": kind,
                        "sector": SECTORS[sector],
                        "template": f"{digest:012x}",
                        "text": template.replace("{b}", brand),
                    }
                )
    return out


def main() -> None:
    rows = build()
    texts = [r["text"] for r in rows]
    if len(set(texts)) != len(texts):
        raise SystemExit("duplicate posts in the source files")
    with OUTPUT.open("w", encoding="utf-8", newline="") as fh:
        fields = ["id", "split", "label", "kind", "sector", "template", "text"]
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUTPUT}")


if __name__ == "__main__":
    main()
