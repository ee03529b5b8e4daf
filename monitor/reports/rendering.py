"""Render a brief (the dict from ``build_brief``) as Markdown, HTML, JSON or XLSX, and the short
Markdown summary the group bots get. Numbers are formatted here only; nothing is recomputed."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from monitor.reports import svg

FORMATS = ("md", "html", "json", "xlsx")
PERIOD_NAMES = {"day": "日报", "week": "周报", "month": "月报"}
LABEL_NAMES = {"positive": "正面", "neutral": "中性", "negative": "负面", "unscored": "未评分"}
TEMPLATES = Path(__file__).parent / "templates"


def pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def change(value: float | None) -> str:
    if value is None:
        return "-"
    arrow = "↑" if value > 0 else "↓" if value < 0 else "→"
    return f"{arrow}{abs(value) * 100:.0f}%"


def points(now: float | None, before: float | None) -> str:
    """Change of a share in percentage points (负面占比 12.0% -> 15.5% is +3.5 pp)."""
    if now is None or before is None:
        return "-"
    return f"{(now - before) * 100:+.1f}pp"


def title(brief: dict[str, Any]) -> str:
    kind = PERIOD_NAMES.get(brief["period"], "简报")
    return f"{'、'.join(brief['brands'])} 舆情{kind} {brief['window']['label']}"


def render_brief(brief: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(brief, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "md":
        return markdown(brief).encode()
    if fmt == "html":
        return html(brief, charts="svg").encode()
    if fmt == "xlsx":
        from monitor.reports.workbook import brief_workbook

        return brief_workbook(brief)
    raise ValueError(f"unknown format {fmt!r}")


def headline(brief: dict[str, Any]) -> list[str]:
    vol, sent, health = brief["volume"], brief["sentiment"], brief["health"]
    sla = brief["incidents"]["sla"]
    lines = [
        f"- 声量 **{vol['total']}** 条（上期 {vol['previous']}，{change(vol['change'])}）",
        f"- 负面占比 **{pct(sent['negative_share'])}**（上期 {pct(sent['previous_negative_share'])}，"
        f"{points(sent['negative_share'], sent['previous_negative_share'])}）",
    ]
    own = [s for s in brief["share_of_voice"] if s["role"] == "own"]
    if brief["competitors"]:
        share = sum(s["share"] or 0 for s in own) if brief["volume"]["total"] else None
        before = sum(s["previous_share"] or 0 for s in own) if brief["volume"]["previous"] else None
        lines.append(f"- 声量份额 **{pct(share)}**（上期 {pct(before)}，{points(share, before)}）")
    before_score = "-" if health["previous"] is None else health["previous"]
    score = "-" if health["score"] is None else health["score"]
    lines.append(f"- 品牌健康度 **{score}**（上期 {before_score}）：{health['explained']}")
    lines.append(
        f"- 事件 {sla['incidents']} 起，按时响应 {sla['answered_in_time']}/{sla['decided']}，"
        f"超时 {sla['breaches']}"
    )
    cov = brief["coverage"]
    if cov["share"] is not None:
        lines.append(f"- 监测覆盖率 {pct(cov['share'])}（盲区 {cov['blind_hours']} 小时）")
    return lines


def summary_markdown(brief: dict[str, Any], link: str | None) -> str:
    """The bot message: headline figures, the three hottest stories, the link to the full brief."""
    lines = [f"### {title(brief)}", *headline(brief)]
    if brief["stories"]:
        lines.append("**热点**")
        for s in brief["stories"][:3]:
            lines.append(f"> {s['title'][:40]}（{s['mentions']} 条，负面 {s['negative']}）")
    if link:
        lines.append(f"[查看完整报告]({link})")
    return "\n".join(lines)


def markdown(brief: dict[str, Any]) -> str:
    out = [
        f"# {title(brief)}",
        "",
        f"时区 {brief['timezone']}；生成于 {brief['generated_at']}",
        "",
        "## 概览",
        "",
        *headline(brief),
        "",
        f"健康度公式：{brief['health']['formula']}",
        "",
        "## 每日声量与情感",
        "",
        "| 日期 | 声量 | 上期同位 | 正面 | 中性 | 负面 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    by_day = brief["sentiment"]["by_day"]
    prev = brief["volume"]["previous_by_day"]
    for i, day in enumerate(brief["days"]):
        before = prev[i] if i < len(prev) else "-"
        out.append(
            f"| {day} | {brief['volume']['by_day'][i]} | {before} | {by_day['positive'][i]} | "
            f"{by_day['neutral'][i]} | {by_day['negative'][i]} |"
        )
    out += ["", "## 声量份额", "", "| 品牌 | 角色 | 声量 | 份额 | 上期份额 |", "|---|---|---:|---:|---:|"]
    for s in brief["share_of_voice"]:
        out.append(
            f"| {s['brand']} | {'竞品' if s['role'] == 'competitor' else '本品'} | {s['mentions']} | "
            f"{pct(s['share'])} | {pct(s['previous_share'])} |"
        )
    out += [
        "",
        "## 热点话题",
        "",
        "| 话题 | 声量 | 负面 | 触达 | 24h 速度 | 热度 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in brief["stories"]:
        out.append(
            f"| {_md_cell(s['title'])} | {s['mentions']} | {s['negative']} | {s['reach']} | "
            f"{s['velocity_24h']} | {s['heat']} |"
        )
    out += ["", "## 平台", "", "| 平台 | 声量 | 负面 |", "|---|---:|---:|"]
    out += [f"| {p['platform']} | {p['mentions']} | {p['negative']} |" for p in brief["platforms"]]
    out += ["", "## 来源", "", "| 来源 | 声量 | 负面 |", "|---|---:|---:|"]
    out += [f"| {_md_cell(s['source'])} | {s['mentions']} | {s['negative']} |" for s in brief["sources"]]
    out += ["", "## 高影响力作者", "", "| 作者 | 粉丝 | 发帖 | 互动 | 负面 |", "|---|---:|---:|---:|---:|"]
    out += [
        f"| {_md_cell(a['author'])} | {a['followers']} | {a['mentions']} | {a['engagement']} | "
        f"{a['negative']} |"
        for a in brief["authors"]
    ]
    out += ["", "## 上升关键词", "", "| 词 | 本期 | 上期 |", "|---|---:|---:|"]
    out += [f"| {_md_cell(k['term'])} | {k['count']} | {k['previous']} |" for k in brief["keywords"]]
    out += [
        "",
        "## 事件与响应 (SLA)",
        "",
        "| # | 级别 | 状态 | 标题 | 开启 | 响应用时 | 按时 |",
        "|---:|---|---|---|---|---:|---|",
    ]
    for inc in brief["incidents"]["items"]:
        minutes = "-" if inc["response_minutes"] is None else f"{inc['response_minutes']} 分钟"
        ok = {True: "是", False: "否", None: "进行中"}[inc["in_time"]]
        out.append(
            f"| {inc['id']} | {inc['severity']} | {inc['state']} | {_md_cell(inc['title'])} | "
            f"{inc['opened_at'][:16]} | {minutes} | {ok} |"
        )
    cov = brief["coverage"]
    out += [
        "",
        "## 监测覆盖",
        "",
        f"覆盖率 {pct(cov['share'])}，{cov['sources']} 个数据源，盲区 {cov['blind_hours']} 小时",
        "",
    ]
    out += [
        f"- {w['source']}：{w['state']}（{w['reason'] or '-'}）"
        f"{w['start'][:16]} ~ {(w['end'] or '至今')[:16]}"
        for w in cov["blind_windows"]
    ]
    return "\n".join(out) + "\n"


def _md_cell(text: str | None) -> str:
    return (text or "").replace("|", "｜").replace("\n", " ")


@cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["pct"] = pct
    env.filters["change"] = change
    env.globals["points"] = points
    return env


def svg_charts(brief: dict[str, Any]) -> dict[str, str]:
    days = [d[5:] for d in brief["days"]]
    vol = brief["volume"]
    series: list[tuple[str, list[float]]] = [("本期", [float(v) for v in vol["by_day"]])]
    if vol["previous_by_day"]:
        series.append(("上期", [float(v) for v in vol["previous_by_day"][: len(days)]]))
    sentiment = [
        (LABEL_NAMES[k], svg.SENTIMENT_COLORS[k], [float(v) for v in brief["sentiment"]["by_day"][k]])
        for k in ("negative", "neutral", "positive", "unscored")
    ]
    return {
        "volume": svg.line_chart(days, series, title="每日声量（本期 vs 上期）", dashed=[False, True]),
        "sentiment": svg.stacked_bars(days, sentiment, title="情感分布"),
        "sov": svg.pie_chart(
            [(s["brand"], float(s["mentions"])) for s in brief["share_of_voice"]], title="声量份额"
        ),
        "platforms": svg.bar_list(
            [(p["platform"], float(p["mentions"])) for p in brief["platforms"][:8]], title="平台分布"
        ),
    }


def html(brief: dict[str, Any], *, charts: str = "svg", link: str | None = None) -> str:
    """A whole HTML document (download, e-mail). ``charts="svg"`` inlines static charts."""
    return (
        _environment()
        .get_template("brief.html")
        .render(
            brief=brief,
            title=title(brief),
            charts=svg_charts(brief) if charts == "svg" else {},
            labels=LABEL_NAMES,
            link=link,
            standalone=True,
        )
    )


def html_sections(brief: dict[str, Any]) -> str:
    """The tables only, for the console page, which draws its charts with ECharts."""
    return (
        _environment()
        .get_template("brief.html")
        .render(
            brief=brief,
            title=title(brief),
            charts={},
            labels=LABEL_NAMES,
            link=None,
            standalone=False,
        )
    )
