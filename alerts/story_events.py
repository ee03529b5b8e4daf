"""What a headline is about, for story linking: the kind of event, the model and the city it names.

Two headlines of one brand tell different stories when they name different kinds of event (a recall is
not a data leak), different models (P9 is not P7) or different cities (Shanghai's fire is not
Hangzhou's); they tell the same story when they share a kind of event and contradict each other in
nothing else, whatever the wording (起火 / 自燃 / 着火, 召回 / 回收). The lexicon is small on purpose:
each group lists the words Chinese outlets use for one kind of event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "fire": ("起火", "自燃", "着火", "失火", "爆燃", "烧毁", "冒烟", "爆炸", "被烧"),
    "recall": ("召回", "回收", "下架", "停售"),
    "data": ("泄露", "泄漏", "外泄", "暗网", "隐私", "个人信息", "用户信息", "用户数据", "收集"),
    "counterfeit": ("假冒", "仿冒", "山寨", "假货", "冒牌", "打假", "假极光", "假的"),
    "expired": ("过期", "变质", "烂水果", "腐烂", "发霉"),
    "foreign_object": ("异物", "虫子", "苍蝇", "头发", "蟑螂", "吃出", "喝出"),
    "poisoning": ("中毒", "腹泻", "呕吐", "送医", "就医"),
    "false_ad": ("虚假宣传", "夸大宣传", "广告误导", "误导", "0糖", "零糖", "虚标"),
    "labour": ("裁员", "欠薪", "拖欠工资", "离职", "约谈", "讨薪"),
    "defect": ("绿线", "绿屏", "换屏", "屏幕", "断轴", "刹车", "制动", "缺陷"),
    "service": ("售后", "客服", "维修", "退换货", "推诿", "维权难"),
    "penalty": ("罚款", "处罚", "被罚", "垄断", "立案", "行政处罚"),
}

CITIES: tuple[str, ...] = (
    "北京", "上海", "广州", "深圳", "杭州", "成都", "重庆", "武汉", "南京", "天津", "西安", "苏州",
    "长沙", "郑州", "青岛", "厦门", "宁波", "合肥", "济南", "福州", "昆明", "沈阳", "大连", "哈尔滨",
    "长春", "南昌", "南宁", "贵阳", "太原", "石家庄", "兰州", "乌鲁木齐", "海口", "三亚", "无锡",
    "东莞", "佛山", "珠海", "温州", "香港", "澳门", "台北",
)  # fmt: skip

# Product models: a letter run followed by digits (X7, P9, S3, Mate60); amounts like 1.2万 or 2亿 are not.
_MODEL = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,6}\d{1,4}[A-Za-z]{0,3})(?![A-Za-z0-9])")

# Two stories of one event kind are linked only when penalty/recall words are not just the aftermath of
# another event ("被罚" after expired food): the aftermath kinds never separate stories on their own.
AFTERMATH = frozenset({"penalty", "recall", "service"})


@dataclass(frozen=True)
class StoryFacts:
    events: frozenset[str]
    models: frozenset[str]
    cities: frozenset[str]


def facts(text: str, brand: str = "") -> StoryFacts:
    body = text.replace(brand, " ") if brand else text
    events = frozenset(kind for kind, words in EVENT_WORDS.items() if any(w in body for w in words))
    models = frozenset(m.upper() for m in _MODEL.findall(body))
    cities = frozenset(c for c in CITIES if c in body)
    return StoryFacts(events, models, cities)


def _contradict(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and not (a & b)


def verdict(a: StoryFacts, b: StoryFacts) -> bool | None:
    """True: same story; False: different stories; None: the facts do not tell (compare the wording)."""
    if _contradict(a.models, b.models) or _contradict(a.cities, b.cities):
        return False
    core_a, core_b = a.events - AFTERMATH, b.events - AFTERMATH
    if core_a and core_b:
        return bool(core_a & core_b)
    if a.events and b.events:
        # Only aftermath words on one side (a fine, a recall): the same story when the kinds meet.
        return bool(a.events & b.events)
    return None
