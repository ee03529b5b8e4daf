"""A small hand-written opinion lexicon with negation scope: features that generalise from little data.

Character n-grams learn words seen in training; brand mentions are a small set, so these aggregate
cues carry over to unseen sentences: ``l:neg`` / ``l:pos`` for each opinion word, ``l:neg~`` /
``l:pos~`` when a negator stands just before it (一点也不差, 从没让我失望 flip polarity), and ``l:q``
for questions (a customer asking is not a customer complaining).
"""

from __future__ import annotations

from functools import cache

NEGATIVE_WORDS: tuple[str, ...] = (
    "差",
    "烂",
    "坑",
    "骗",
    "坏了",
    "太慢",
    "太贵",
    "难用",
    "难喝",
    "难吃",
    "失望",
    "后悔",
    "垃圾",
    "恶心",
    "不满",
    "糟",
    "破",
    "漏",
    "臭",
    "过敏",
    "拉肚子",
    "卡顿",
    "卡得",
    "死机",
    "黑屏",
    "发热",
    "烫手",
    "异响",
    "故障",
    "毛病",
    "忽悠",
    "敷衍",
    "推脱",
    "推卸",
    "推来推去",
    "不理",
    "没人",
    "拖了",
    "延误",
    "弄丢",
    "摔坏",
    "离谱",
    "吐槽",
    "服了",
    "寒心",
    "割韭菜",
    "踩雷",
    "智商税",
    "缩水",
    "乱收费",
    "刁难",
    "冷脸",
    "怼",
    "苍蝇",
    "头发",
    "虫",
    "异味",
    "变质",
    "发霉",
    "长毛",
    "烂脸",
    "红疹",
    "翻新",
    "白眼",
    "威胁",
    "扣钱",
    "多收",
    "不退",
    "不给",
    "不认账",
    "不值",
    "失败",
    "尴尬",
    "头疼",
    "蔫",
    "晕染",
    "折腾",
    "投诉",
    "维权",
    "退货",
    "差评",
    "欺诈",
    "虚假",
    "假货",
    "欺骗",
    "罪",
    "坑人",
    "不靠谱",
    "问题",
    "召回",
    "处罚",
    "罚款",
    "泄露",
    "曝光",
    "被曝",
    "违规",
    "超标",
    "不合格",
    "下架",
    "停业",
    "立案",
    "约谈",
    "事故",
    "缺陷",
    "隐患",
    "起火",
    "自燃",
    "中毒",
    "造假",
    "诉讼",
    "起诉",
    "逾期",
    "异常",
    "举报",
    "大跌",
    "拖欠",
    "裁员",
    "窃取",
    "黑客",
    "无证",
    "失灵",
    "风波",
    "致歉",
    "整改",
    "调查",
)
POSITIVE_WORDS: tuple[str, ...] = (
    "好用",
    "好吃",
    "好喝",
    "好看",
    "满意",
    "推荐",
    "喜欢",
    "值得",
    "靠谱",
    "贴心",
    "给力",
    "点赞",
    "惊喜",
    "舒服",
    "流畅",
    "清楚",
    "稳定",
    "放心",
    "专业",
    "热情",
    "周到",
    "划算",
    "实惠",
    "性价比",
    "回购",
    "好评",
    "安利",
    "绝了",
    "良心",
    "信赖",
    "耐心",
    "及时",
    "干净",
    "漂亮",
    "精致",
    "高级",
    "扎实",
    "温和",
    "滋润",
    "服帖",
    "清爽",
    "不错",
    "完美",
    "优秀",
    "棒",
    "赞",
    "感谢",
    "谢谢",
    "爱",
    "圈粉",
    "诚意",
    "到位",
    "用心",
    "省心",
    "快",
    "准",
    "稳",
    "香",
    "很好",
    "挺好",
    "真好",
    "支持",
    "之光",
    "没毛病",
    "有保证",
    "有面子",
    "痛快",
    "放心",
)
NEGATORS: tuple[str, ...] = (
    "不",
    "没",
    "无",
    "别",
    "非",
    "未",
    "从不",
    "从没",
    "并不",
    "毫不",
    "绝不",
    "根本不",
    "根本没",
)
SCOPE = 4  # characters before an opinion word in which a negator flips it ("一点也不差", "从没让我失望")
_QUESTION_ENDINGS = ("吗", "呢", "么", "?", "？")


# Every negator contains one of the one-character negators (从不, 根本没 ...; tests/models/test_lexicon.py
# checks it), so a set test rules most windows out without looping over NEGATORS.
_NEGATOR_CHARS = frozenset(neg for neg in NEGATORS if len(neg) == 1)


def _negated(text: str, start: int) -> bool:
    window = text[max(0, start - SCOPE) : start]
    if _NEGATOR_CHARS.isdisjoint(window):
        return False
    return any(neg in window for neg in NEGATORS)


@cache
def _matcher() -> tuple[object, tuple[str, ...]]:
    import ahocorasick_rs

    words = NEGATIVE_WORDS + POSITIVE_WORDS
    tags = ("l:neg",) * len(NEGATIVE_WORDS) + ("l:pos",) * len(POSITIVE_WORDS)
    return ahocorasick_rs.AhoCorasick(words), tags


def lexicon_features(text: str) -> list[str]:
    """Features for a ``prepare``-d text: one per lexicon word present, judged at its first occurrence.

    One Aho-Corasick pass with overlapping matches replaces ~200 ``str.find`` calls (same result,
    tests/models/test_lexicon.py compares them); overlapping matters: 不满意 holds 不满 and 满意.
    """
    automaton, tags = _matcher()
    feats: list[str] = []
    seen: set[int] = set()
    for index, start, _end in automaton.find_matches_as_indexes(text, overlapping=True):  # type: ignore[attr-defined]
        if index in seen:
            continue
        seen.add(index)
        # The negator may be part of the word itself (不满, 不值): only look before the word.
        feats.append(tags[index] + "~" if _negated(text, start) else tags[index])
    stripped = text.rstrip("。.!！~ ")
    if stripped.endswith(_QUESTION_ENDINGS) or "请问" in text or "有没有" in text:
        feats.append("l:q")
    return feats


def lexicon_features_reference(text: str) -> list[str]:
    """The plain definition (one ``str.find`` per word); kept to test the fast path against."""
    feats: list[str] = []
    for words, tag in ((NEGATIVE_WORDS, "l:neg"), (POSITIVE_WORDS, "l:pos")):
        for word in words:
            start = text.find(word)
            if start >= 0:
                feats.append(tag + "~" if _negated(text, start) else tag)
    stripped = text.rstrip("。.!！~ ")
    if stripped.endswith(_QUESTION_ENDINGS) or "请问" in text or "有没有" in text:
        feats.append("l:q")
    return feats
