"""Chinese message texts for every notification kind. Times are shown in the display zone (Asia/Shanghai).

A message is a plain dict (it is stored as the outbox payload): ``title``, ``text`` (plain),
``markdown``, ``link``, plus ``brand``/``severity``/``incident_id`` for routing and digests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from alerts.deadline import format_time_left

KIND_LABELS = {
    "opened": "新负面舆情",
    "upgraded": "舆情升级",
    "reminder": "响应提醒",
    "escalation": "未确认升级通知",
    "breach": "已超过响应时限",
}


@dataclass(frozen=True)
class IncidentSnapshot:
    id: int
    brand: str
    severity: str
    title: str
    mention_count: int
    negative_count: int
    reach: int
    respond_by: datetime
    crisis_terms: Sequence[str] = ()
    top_title: str = ""
    top_url: str | None = None
    max_p_negative: float = 0.0
    state: str = "open"
    reason: str = ""  # e.g. a brand-level spike: "负面声量 42 条/小时，是同时段基线的 5.3 倍"
    # Blind windows of the brand's platforms around the story: (platform label, start, end or None = still
    # blind). Plain data from the edge; the message says coverage was partial ("微博 未覆盖 14:00–16:30").
    blind: Sequence[tuple[str, datetime, datetime | None]] = ()


def _fmt(ts: datetime, tz: str) -> str:
    return ts.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")


def render(
    kind: str,
    incident: IncidentSnapshot,
    *,
    now: datetime,
    display_tz: str = "Asia/Shanghai",
    ack_hint: str = "brandguard alerts ack {id}",
) -> dict[str, Any]:
    label = KIND_LABELS.get(kind, kind)
    title = f"【{incident.severity}·{label}】{incident.brand}"
    left = format_time_left(incident.respond_by - now)
    deadline = _fmt(incident.respond_by, display_tz)
    ack = ack_hint.format(id=incident.id)
    terms = f"；风险词：{'、'.join(incident.crisis_terms)}" if incident.crisis_terms else ""
    top = incident.top_title or incident.title
    lines = [
        title,
        f"事件 #{incident.id}：{top}",
        f"相关提及 {incident.mention_count} 条（负面 {incident.negative_count} 条），"
        f"覆盖 {incident.reach:,}{terms}",
        f"响应时限 {deadline}（北京时间），{left}",
    ]
    partial = coverage_note(incident.blind, display_tz)
    if partial:
        lines.append(partial)
    if incident.top_url:
        lines.append(f"链接：{incident.top_url}")
    lines.append(f"确认：{ack}")
    md = [
        f"### {title}",
        f"**事件 #{incident.id}**：{top}",
        f"> 相关提及 **{incident.mention_count}** 条（负面 {incident.negative_count} 条），"
        f"覆盖 **{incident.reach:,}**{terms}",
        f"> 响应时限 **{deadline}**（北京时间），{left}",
    ]
    if partial:
        md.append(f"> ⚠ {partial}")
    if incident.top_url:
        md.append(f"[查看原文]({incident.top_url})")
    # A console link is a button-like markdown link; a CLI hint stays code so it can be copied.
    is_link = ack.startswith(("http://", "https://"))
    md.append(f"[处理 #{incident.id}]({ack})" if is_link else f"确认：`{ack}`")
    return {
        "kind": kind,
        "title": title,
        "text": "\n".join(lines),
        "markdown": "\n".join(md),
        "link": incident.top_url,
        "brand": incident.brand,
        "severity": incident.severity,
        "incident_id": incident.id,
    }


def coverage_note(blind: Sequence[tuple[str, datetime, datetime | None]], tz: str) -> str:
    """``覆盖不完整：微博 未覆盖 14:00–16:30；小红书 未覆盖 15:10–至今`` or "" when fully covered."""
    if not blind:
        return ""
    zone = ZoneInfo(tz)
    parts = [
        f"{label} 未覆盖 {start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}"
        if end is not None
        else f"{label} 未覆盖 {start.astimezone(zone):%H:%M}–至今"
        for label, start, end in blind
    ]
    return "覆盖不完整：" + "；".join(parts)


def render_digest(messages: Sequence[dict[str, Any]], *, max_items: int = 20) -> dict[str, Any]:
    """One message for many: rate-limit overflow or quiet-hour backlog."""
    shown = list(messages)[:max_items]
    more = len(messages) - len(shown)
    severities = sorted({str(m.get("severity") or "P3") for m in messages})
    title = f"【舆情汇总】{len(messages)} 条通知"
    lines = [title] + [f"- {m.get('title', '')}（#{m.get('incident_id')}）" for m in shown]
    md = [f"### {title}"] + [
        f"- {m.get('title', '')} #{m.get('incident_id')}" + (f" [原文]({m['link']})" if m.get("link") else "")
        for m in shown
    ]
    if more > 0:
        lines.append(f"……另有 {more} 条，见 brandguard alerts list --open")
        md.append(f"……另有 {more} 条，见 `brandguard alerts list --open`")
    return {
        "kind": "digest",
        "title": title,
        "text": "\n".join(lines),
        "markdown": "\n".join(md),
        "link": None,
        "brand": None,
        "severity": severities[0] if severities else None,
        "incident_id": None,
        "items": [m.get("incident_id") for m in messages],
    }


def truncate_utf8(text: str, limit: int) -> str:
    """Cut to at most ``limit`` UTF-8 bytes without splitting a character (WeCom counts bytes)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    suffix = "…".encode()
    return data[: limit - len(suffix)].decode("utf-8", errors="ignore") + "…"
