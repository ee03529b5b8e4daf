"""XLSX with native Excel charts (XlsxWriter): a line chart of daily volume against the previous period,
stacked sentiment columns, a share-of-voice pie and platform bars. Native charts stay editable in Excel
and WPS, which is what the team does with them before the Monday meeting."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

SHEETS = ("概览", "每日", "声量份额", "热点", "平台", "来源", "作者", "关键词", "事件", "覆盖")


def _table(ws: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], bold: Any) -> None:
    ws.write_row(0, 0, list(header), bold)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, ["" if v is None else v for v in row])
    ws.set_column(0, 0, 28)
    ws.set_column(1, len(header), 12)


def brief_workbook(brief: dict[str, Any]) -> bytes:
    import xlsxwriter

    from monitor.reports.rendering import LABEL_NAMES, title

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = wb.add_format({"bold": True, "bg_color": "#F3F5F7"})
    percent = wb.add_format({"num_format": "0.0%"})
    ws = wb.add_worksheet(SHEETS[0])
    vol, sent, health, sla = brief["volume"], brief["sentiment"], brief["health"], brief["incidents"]["sla"]
    overview = [
        ("报告", title(brief), None),
        ("时区", brief["timezone"], None),
        ("区间", f"{brief['window']['start']} ~ {brief['window']['end']}", None),
        ("声量", vol["total"], vol["previous"]),
        ("负面占比", sent["negative_share"], sent["previous_negative_share"]),
        ("品牌健康度", health["score"], health["previous"]),
        ("健康度公式", health["formula"], None),
        ("健康度计算", health["explained"], None),
        ("事件", sla["incidents"], brief["incidents"]["previous_sla"]["incidents"]),
        ("按时响应率", sla["share_in_time"], brief["incidents"]["previous_sla"]["share_in_time"]),
        ("监测覆盖率", brief["coverage"]["share"], None),
    ]
    ws.write_row(0, 0, ["指标", "本期", "上期"], bold)
    for i, (name, now, before) in enumerate(overview, start=1):
        fmt = percent if name in ("负面占比", "按时响应率", "监测覆盖率") else None
        ws.write(i, 0, name)
        ws.write(i, 1, "" if now is None else now, fmt)
        ws.write(i, 2, "" if before is None else before, fmt)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 2, 40)

    days = brief["days"]
    ws = wb.add_worksheet(SHEETS[1])
    prev = vol["previous_by_day"]
    by_day = sent["by_day"]
    _table(
        ws,
        ["日期", "声量", "上期同位", "负面", "中性", "正面", "未评分"],
        [
            (
                d,
                vol["by_day"][i],
                prev[i] if i < len(prev) else None,
                by_day["negative"][i],
                by_day["neutral"][i],
                by_day["positive"][i],
                by_day["unscored"][i],
            )
            for i, d in enumerate(days)
        ],
        bold,
    )
    n = len(days)
    line = wb.add_chart({"type": "line"})
    for col, name in ((1, "本期"), (2, "上期")):
        line.add_series(
            {"name": name, "categories": [SHEETS[1], 1, 0, n, 0], "values": [SHEETS[1], 1, col, n, col]}
        )
    line.set_title({"name": "每日声量"})
    ws.insert_chart("I2", line)
    stacked = wb.add_chart({"type": "column", "subtype": "stacked"})
    colors = {"负面": "#D43B3B", "中性": "#9AA5B1", "正面": "#2E9E5B", "未评分": "#D9DDE3"}
    for col, key in ((3, "negative"), (4, "neutral"), (5, "positive"), (6, "unscored")):
        name = LABEL_NAMES[key]
        stacked.add_series(
            {
                "name": name,
                "categories": [SHEETS[1], 1, 0, n, 0],
                "values": [SHEETS[1], 1, col, n, col],
                "fill": {"color": colors[name]},
            }
        )
    stacked.set_title({"name": "情感分布"})
    ws.insert_chart("I18", stacked)

    ws = wb.add_worksheet(SHEETS[2])
    sov = brief["share_of_voice"]
    _table(
        ws,
        ["品牌", "角色", "声量", "份额", "上期声量", "上期份额"],
        [
            (
                s["brand"],
                "竞品" if s["role"] == "competitor" else "本品",
                s["mentions"],
                s["share"],
                s["previous"],
                s["previous_share"],
            )
            for s in sov
        ],
        bold,
    )
    ws.set_column(3, 3, 10, percent)
    ws.set_column(5, 5, 10, percent)
    pie = wb.add_chart({"type": "pie"})
    pie.add_series(
        {
            "name": "声量份额",
            "categories": [SHEETS[2], 1, 0, len(sov), 0],
            "values": [SHEETS[2], 1, 2, len(sov), 2],
            "data_labels": {"percentage": True},
        }
    )
    pie.set_title({"name": "声量份额"})
    ws.insert_chart("H2", pie)

    ws = wb.add_worksheet(SHEETS[3])
    _table(
        ws,
        ["话题", "品牌", "声量", "负面", "触达", "点赞", "转发", "24h 速度", "热度", "首发", "链接"],
        [
            (
                s["title"],
                s["brand"],
                s["mentions"],
                s["negative"],
                s["reach"],
                s["likes"],
                s["reposts"],
                s["velocity_24h"],
                s["heat"],
                s["first_at"],
                s["url"],
            )
            for s in brief["stories"]
        ],
        bold,
    )

    ws = wb.add_worksheet(SHEETS[4])
    platforms = brief["platforms"]
    _table(
        ws, ["平台", "声量", "负面"], [(p["platform"], p["mentions"], p["negative"]) for p in platforms], bold
    )
    bar = wb.add_chart({"type": "bar"})
    bar.add_series(
        {
            "name": "声量",
            "categories": [SHEETS[4], 1, 0, max(len(platforms), 1), 0],
            "values": [SHEETS[4], 1, 1, max(len(platforms), 1), 1],
        }
    )
    bar.set_title({"name": "平台分布"})
    ws.insert_chart("F2", bar)

    sheets_rows: list[tuple[str, list[str], list[tuple[Any, ...]]]] = [
        (
            SHEETS[5],
            ["来源", "声量", "负面"],
            [(s["source"], s["mentions"], s["negative"]) for s in brief["sources"]],
        ),
        (
            SHEETS[6],
            ["作者", "粉丝", "发帖", "互动", "负面"],
            [
                (a["author"], a["followers"], a["mentions"], a["engagement"], a["negative"])
                for a in brief["authors"]
            ],
        ),
        (
            SHEETS[7],
            ["词", "本期", "上期", "超出预期"],
            [(k["term"], k["count"], k["previous"], round(k["excess"], 1)) for k in brief["keywords"]],
        ),
        (
            SHEETS[8],
            ["#", "品牌", "级别", "状态", "标题", "开启", "截止", "响应", "响应用时(分钟)", "按时"],
            [
                (
                    i["id"],
                    i["brand"],
                    i["severity"],
                    i["state"],
                    i["title"],
                    i["opened_at"],
                    i["respond_by"],
                    i["responded_at"],
                    i["response_minutes"],
                    {True: "是", False: "否"}.get(i["in_time"], "进行中"),
                )
                for i in brief["incidents"]["items"]
            ],
        ),
        (
            SHEETS[9],
            ["来源", "状态", "原因", "开始", "结束"],
            [
                (w["source"], w["state"], w["reason"], w["start"], w["end"] or "至今")
                for w in brief["coverage"]["blind_windows"]
            ],
        ),
    ]
    for name, header, rows in sheets_rows:
        _table(wb.add_worksheet(name), header, rows, bold)
    wb.close()
    return buffer.getvalue()
