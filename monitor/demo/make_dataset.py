"""Regenerate monitor/demo/data/posts.json from the hand-written snippets below (run once, output committed).

    .venv/bin/python -m monitor.demo.make_dataset

Everything here is fictitious: brands, sites, accounts and events. ``minute`` is the publication time
relative to the start of the demo (negative: history the first, baseline fetch finds).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).parent / "data" / "posts.json"

# feed name -> (kind, site title)
FEEDS = {
    "晴川社区": ("json", "晴川社区 热门帖子"),
    "汽车之窗": ("rss", "汽车之窗 新闻"),
    "消费者之声": ("atom", "消费者之声 投诉公示"),
    "数码前线": ("rss", "数码前线"),
    "悦己论坛": ("html", "悦己论坛 美妆版"),
    "食品周刊": ("atom", "食品周刊"),
}

ROUTINE = {
    "星河手机": [
        "星河手机新款 Pro 的夜景模式确实进步明显，晚上拍街景噪点少了很多",
        "用了半年星河手机，系统流畅，续航一天没问题",
        "星河手机发布会定在下周三，据说有新的快充方案",
        "入手星河手机 Pro，屏幕观感不错，就是有点重",
        "数码博主横评：星河手机在同价位里性价比靠前",
        "星河手机推送了系统更新，新增了几项实用功能",
        "星河手机官方旗舰店双十一销量公布，同比增长三成",
        "有人用过星河手机的卫星通信功能吗？户外爬山想试试",
    ],
    "青禾乳业": [
        "青禾乳业的低温鲜奶口感很醇，早餐常备",
        "青禾乳业推出无乳糖系列，乳糖不耐的朋友可以试试",
        "超市看到青禾牛奶在做买二送一，囤了几箱",
        "青禾乳业牧场开放日报名开始，带孩子去看奶牛",
        "青禾乳业发布年度质量报告，抽检全部合格",
        "青禾牛奶的新包装挺好看，环保纸盒",
        "青禾乳业和本地学校合作推出课间奶计划",
    ],
    "云帆汽车": [
        "云帆汽车 X7 试驾体验：底盘扎实，隔音比上一代好",
        "云帆汽车十月交付量创新高，X7 占了一半",
        "云帆汽车新建的超充站在城东开业了，充电很快",
        "提车云帆X7一个月，分享一下用车感受，整体满意",
        "云帆汽车公布新的智能驾驶版本，增加了自动泊车",
        "云帆汽车车展展台人气很高，新车型颜值在线",
        "朋友推荐云帆X7，周末去4S店看看",
    ],
    "木棉美妆": [
        "木棉美妆新出的口红色号很显白，秋冬必备",
        "木棉美妆的粉底液持妆一整天，油皮友好",
        "木棉美妆旗舰店上新了护手霜礼盒，送人不错",
        "分享一下木棉口红的试色，三支都很日常",
        "木棉美妆和国风插画师联名，包装很精致",
        "木棉美妆的卸妆油温和不刺激，回购第三瓶",
        "木棉美妆会员日有折扣，记得领券",
    ],
}

# Items no brand should match (and one that must be excluded: 星河湾小区 is a housing estate).
NOISE = [
    "今天的天气很适合出去走走，公园里的银杏黄了",
    "周末做了红烧肉，配方分享给大家",
    "星河湾小区今晚停水，物业通知请提前储水",
    "城市马拉松报名开始，名额有限",
    "新开的咖啡馆环境不错，适合办公",
    "地铁五号线延长线下月试运行",
]

AUTHORS = [
    "小林",
    "阿杰",
    "数码老周",
    "爱喝奶的猫",
    "路过的风",
    "车评人老王",
    "美妆日记",
    "晴天",
    "程序员小陈",
    "宝妈一枚",
    "骑行者",
    "夜猫子",
]

FEED_OF_BRAND = {
    "星河手机": ["数码前线", "晴川社区"],
    "青禾乳业": ["食品周刊", "晴川社区"],
    "云帆汽车": ["汽车之窗", "晴川社区"],
    "木棉美妆": ["悦己论坛", "晴川社区"],
}

# The crisis: a 云帆X7 catches fire while charging; the story spreads over a few hours.
# (minute, feed, author, followers, likes, reposts, title, text)
CRISIS = [
    (
        20,
        "晴川社区",
        "夜跑的阿诚",
        820,
        12,
        3,
        "服务区有车冒烟",
        "刚在高速服务区看到一辆云帆X7在充电桩旁边冒烟起火，消防车来了，太吓人了",
    ),
    (
        35,
        "晴川社区",
        "路过的风",
        1500,
        40,
        18,
        "转发：云帆X7充电时起火",
        "转发：服务区一辆云帆X7在充电桩旁边冒烟起火，消防车来了，太吓人了",
    ),
    (
        45,
        "晴川社区",
        "城市热点速递",
        1_200_000,
        5_400,
        2_100,
        "【突发】云帆汽车X7充电时自燃",
        "【突发】网友拍到云帆汽车X7在高速服务区充电时自燃，车辆烧得只剩框架，车主称刚提车两个月，太可怕了",
    ),
    (
        55,
        "晴川社区",
        "提车两个月的车主",
        3_200,
        2_600,
        900,
        "我的云帆X7烧没了，要个说法",
        "我就是那辆云帆X7的车主，充电时突然自燃，差点出人命。客服到现在没有回复，我要投诉维权",
    ),
    (
        60,
        "消费者之声",
        "匿名用户",
        None,
        None,
        None,
        "投诉云帆汽车：X7充电自燃，要求退车赔偿",
        "投诉对象：云帆汽车。问题：X7在充电时自燃起火，车辆全损。诉求：退车赔偿，公开调查结果",
    ),
    (
        70,
        "晴川社区",
        "车评人老王",
        450_000,
        3_100,
        1_400,
        "云帆X7自燃事件，大家怎么看",
        "云帆汽车X7自燃的视频已经传开了，电池安全是底线，厂家必须尽快给出原因，不然很难让人放心",
    ),
    (
        80,
        "晴川社区",
        "准车主小赵",
        600,
        300,
        120,
        "云帆X7还敢买吗",
        "本来下周去提云帆X7，看到自燃视频犹豫了，定金能退吗？真的很担心安全问题",
    ),
    (
        90,
        "汽车之窗",
        "汽车之窗编辑部",
        None,
        None,
        None,
        "云帆汽车X7充电自燃事件追踪",
        "多位网友发布云帆汽车X7在服务区充电时自燃的视频。记者联系云帆汽车客服，对方表示已关注此事，具体原因仍在调查",
    ),
    (
        100,
        "晴川社区",
        "数码老周",
        98_000,
        1_800,
        760,
        "转发微博：云帆X7自燃，车主要求退车",
        "转发微博：云帆X7车主称充电时自燃，车辆全损，客服至今没有回复，要求退车赔偿"
        " //@城市热点速递: 太可怕了",
    ),
    (
        115,
        "消费者之声",
        "匿名用户",
        None,
        None,
        None,
        "云帆汽车X7电池发热严重，担心自燃",
        "投诉对象：云帆汽车。问题：X7快充时电池异常发热，看到自燃新闻后非常害怕。诉求：免费检测电池",
    ),
    (
        130,
        "晴川社区",
        "城市热点速递",
        1_200_000,
        8_900,
        4_300,
        "云帆X7自燃后续：更多车主反映电池发热",
        "云帆X7自燃事件后续：已有多位车主反映快充时电池发热，有人要求召回，云帆汽车仍未公开回应",
    ),
    (
        150,
        "汽车之窗",
        "汽车之窗编辑部",
        None,
        None,
        None,
        "多地车主反映云帆X7电池发热 业内呼吁召回排查",
        "继云帆汽车X7充电自燃后，多地车主反映电池发热。业内人士认为厂家应尽快排查并考虑召回",
    ),
    (
        170,
        "晴川社区",
        "宝妈一枚",
        2_100,
        900,
        300,
        "家里也是云帆X7，现在都不敢给它充电了",
        "家里也是云帆X7，看到自燃新闻现在都不敢在小区充电，厂家到底什么时候给个说法，太让人失望了",
    ),
    (
        200,
        "晴川社区",
        "夜猫子",
        700,
        150,
        60,
        "转发：云帆X7自燃后续",
        "转发：云帆X7自燃事件后续，已有多位车主反映快充时电池发热，有人要求召回，云帆汽车仍未回应",
    ),
    (
        235,
        "消费者之声",
        "匿名用户",
        None,
        None,
        None,
        "云帆汽车售后拒绝检测电池",
        "投诉对象：云帆汽车。问题：自燃新闻后申请电池检测被售后拒绝，态度很差。诉求：检测电池并道歉",
    ),
    (
        260,
        "晴川社区",
        "车评人老王",
        450_000,
        2_400,
        980,
        "云帆汽车的沉默正在伤害用户信任",
        "云帆X7自燃已经过去四个多小时，官方还没有正式声明，车主的焦虑和愤怒都在累积，这样的危机处理很糟糕",
    ),
]


def build(seed: int = 20261120) -> list[dict[str, object]]:
    rng = random.Random(seed)
    posts: list[dict[str, object]] = []

    def add(
        feed: str,
        minute: int,
        author: str,
        title: str,
        text: str,
        followers: int | None,
        likes: int | None,
        reposts: int | None,
    ) -> None:
        n = len(posts) + 1
        posts.append(
            {
                "id": f"p{n:04d}",
                "feed": feed,
                "minute": minute,
                "author": author,
                "title": title,
                "text": text,
                "followers": followers,
                "likes": likes,
                "reposts": reposts,
            }
        )

    # History (the 24 h before the demo starts) and routine chatter during it.
    for brand, lines in ROUTINE.items():
        for round_ in range(9):
            for line in lines:
                feed = rng.choice(FEED_OF_BRAND[brand])
                minute = rng.randint(-1440, 330) if round_ else rng.randint(-1440, -10)
                suffix = rng.choice(["", "，推荐", "。", "，大家觉得呢？", "，记录一下", "～"])
                title = line.split("，")[0][:28]
                social = feed == "晴川社区"
                add(
                    feed,
                    minute,
                    rng.choice(AUTHORS),
                    title,
                    line + suffix,
                    rng.randint(100, 30_000) if social else None,
                    rng.randint(0, 300) if social else None,
                    rng.randint(0, 40) if social else None,
                )
    for line in NOISE:
        for _ in range(3):
            add(
                "晴川社区",
                rng.randint(-1440, 330),
                rng.choice(AUTHORS),
                line[:20],
                line,
                rng.randint(100, 5000),
                rng.randint(0, 50),
                rng.randint(0, 5),
            )
    for minute, feed, author, followers, likes, reposts, title, text in CRISIS:
        add(feed, minute, author, title, text, followers, likes, reposts)
    posts.sort(key=lambda p: (p["minute"], p["id"]))
    return posts


def main() -> None:
    data = {
        "feeds": {name: {"kind": kind, "title": title} for name, (kind, title) in FEEDS.items()},
        "posts": build(),
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(data['posts'])} posts")


if __name__ == "__main__":
    main()
