"""Rich, actionable messages per platform: a Feishu interactive card, a DingTalk ActionCard (markdown
with ``at`` when someone must be @-mentioned), a WeCom template card (markdown with ``<@userid>`` when
someone must be @-mentioned).

``card_data`` is computed when the message is decided and stored in the outbox payload under ``card``;
the platform body is built at send time, so "time left" is true when the message arrives, not when it
was queued. Pure: ``now`` is a parameter.

Platform facts the bodies respect (documented limits of the custom/group bots):

* Feishu custom bot: ``msg_type = "interactive"``, ``card.header.title`` plain text, elements ``div``
  (``lark_md``), ``hr`` and ``action`` with ``button`` (``url``); @ in lark_md as ``<at id=open_id></at>``;
  request body at most 20 KB.
* DingTalk: ``actionCard`` {title, text (markdown), btnOrientation, btns[{title, actionURL}]} cannot @
  anyone; ``markdown`` can, with ``at.atMobiles`` / ``at.atUserIds`` and the ``@mobile`` in the text.
  Body at most 20,000 bytes.
* WeCom group bot: ``template_card`` of ``card_type = "text_notice"`` needs ``main_title`` (title <= 26
  characters recommended) and ``card_action``; ``horizontal_content_list`` at most 6 rows (keyname <= 5
  characters), ``jump_list`` at most 3; template cards cannot @ anyone, markdown can with ``<@userid>``;
  markdown content at most 4,096 bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from alerts.deadline import format_time_left
from alerts.oncall import Person

FEISHU_BODY_LIMIT = 20_000  # bytes of the JSON body
DINGTALK_BODY_LIMIT = 20_000
WECOM_MARKDOWN_LIMIT = 4_096
WECOM_TITLE_CHARS = 26
WECOM_VALUE_CHARS = 26
SEVERITY_COLOURS = {"P1": "red", "P2": "orange", "P3": "yellow"}

# Hosts of the platforms a PR team recognises by name; anything else is shown by host.
_PLATFORMS = {
    "weibo.com": "微博",
    "weibo.cn": "微博",
    "xiaohongshu.com": "小红书",
    "xhslink.com": "小红书",
    "douyin.com": "抖音",
    "zhihu.com": "知乎",
    "bilibili.com": "B站",
    "toutiao.com": "今日头条",
    "weixin.qq.com": "微信公众号",
    "kuaishou.com": "快手",
    "tieba.baidu.com": "贴吧",
}


def platform_of(url: str | None) -> str:
    host = (urlsplit(url).hostname or "") if url else ""
    for suffix, name in _PLATFORMS.items():
        if host == suffix or host.endswith("." + suffix):
            return name
    return host.removeprefix("www.") or "未知"


def card_data(
    *,
    kind_label: str,
    incident_id: int,
    brand: str,
    severity: str,
    title: str,
    sentiment: float,
    mention_count: int,
    negative_count: int,
    reach: int,
    respond_by: datetime,
    clock_running: bool,
    source_url: str | None,
    open_url: str | None,
    people: Sequence[Person] = (),
    reason: str = "",
) -> dict[str, Any]:
    """What every card shows, as plain JSON for the outbox payload."""
    return {
        "kind_label": kind_label,
        "incident_id": incident_id,
        "brand": brand,
        "severity": severity,
        "platform": platform_of(source_url),
        "title": title,
        "sentiment": round(sentiment, 2),
        "mention_count": mention_count,
        "negative_count": negative_count,
        "reach": reach,
        "respond_by": respond_by.isoformat(),
        "clock_running": clock_running,
        "source_url": source_url,
        "open_url": open_url,
        "at": [p.as_dict() for p in people],
        "reason": reason,
    }


def _time_left(card: Mapping[str, Any], now: datetime) -> str:
    if not card.get("clock_running", True):
        return "已响应，计时停止"
    return format_time_left(datetime.fromisoformat(str(card["respond_by"])) - now)


def _headline(card: Mapping[str, Any]) -> str:
    return f"【{card['severity']}·{card['kind_label']}】{card['brand']}"


def _facts(card: Mapping[str, Any], now: datetime) -> list[tuple[str, str]]:
    facts = [
        ("品牌", str(card["brand"])),
        ("级别", str(card["severity"])),
        ("平台", str(card["platform"])),
        ("情绪", f"负面概率 {float(card['sentiment']):.2f}"),
        ("提及", f"{card['mention_count']} 条（负面 {card['negative_count']}）覆盖 {int(card['reach']):,}"),
        ("时限", _time_left(card, now)),
    ]
    if card.get("reason"):
        facts.append(("原因", str(card["reason"])))
    return facts


def _buttons(card: Mapping[str, Any]) -> list[tuple[str, str]]:
    buttons: list[tuple[str, str]] = []
    if card.get("open_url"):
        buttons.append(("处理", str(card["open_url"])))
    if card.get("source_url"):
        buttons.append(("查看原文", str(card["source_url"])))
    return buttons


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def feishu_card(card: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The body of a Feishu interactive card (without timestamp/sign, which the notifier adds)."""
    lines = [f"**{_cut(str(card['title']), 300)}**"] + [f"**{k}**：{v}" for k, v in _facts(card, now)]
    ats = [p["user_ids"]["feishu"] for p in card.get("at", ()) if p.get("user_ids", {}).get("feishu")]
    if ats:
        lines.append(" ".join(f"<at id={open_id}></at>" for open_id in ats))
    elements: list[dict[str, Any]] = [{"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(lines)}}]
    buttons = _buttons(card)
    if buttons:
        elements.append({"tag": "hr"})
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": text},
                        "type": "primary" if i == 0 else "default",
                        "url": url,
                    }
                    for i, (text, url) in enumerate(buttons)
                ],
            }
        )
    body = {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {
                "title": {"tag": "plain_text", "content": _headline(card)},
                "template": SEVERITY_COLOURS.get(str(card["severity"]), "blue"),
            },
            "elements": elements,
        },
    }
    return _fit(body, FEISHU_BODY_LIMIT, lambda b, n: _shrink_div(b["card"]["elements"][0]["text"], n))


def dingtalk_body(card: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    people = list(card.get("at", ()))
    mobiles = [str(p["mobile"]) for p in people if p.get("mobile")]
    user_ids = [
        p["user_ids"]["dingtalk"]
        for p in people
        if not p.get("mobile") and p.get("user_ids", {}).get("dingtalk")
    ]
    lines = [f"### {_headline(card)}", f"**{_cut(str(card['title']), 300)}**", ""]
    lines += [f"- **{k}**：{v}" for k, v in _facts(card, now)]
    buttons = _buttons(card)
    if mobiles or user_ids:
        # ActionCard cannot @ anyone: markdown with links and the ``at`` block does both.
        lines.append("")
        lines += [f"[{text}]({url})" for text, url in buttons]
        lines.append(" ".join([f"@{m}" for m in mobiles] + [f"@{u}" for u in user_ids]))
        body: dict[str, Any] = {
            "msgtype": "markdown",
            "markdown": {"title": _headline(card), "text": "\n".join(lines)},
            "at": {"atMobiles": mobiles, "atUserIds": user_ids, "isAtAll": False},
        }
        return _fit(body, DINGTALK_BODY_LIMIT, lambda b, n: _shrink_key(b["markdown"], "text", n))
    action: dict[str, Any] = {"title": _headline(card), "text": "\n".join(lines), "btnOrientation": "1"}
    if buttons:
        action["btns"] = [{"title": text, "actionURL": url} for text, url in buttons]
    else:
        # Without a console address there is nothing to open; the card says how to answer instead.
        action["text"] += f"\n\n确认：brandguard alerts ack {card['incident_id']}"
        action["btns"] = []
    body = {"msgtype": "actionCard", "actionCard": action}
    return _fit(body, DINGTALK_BODY_LIMIT, lambda b, n: _shrink_key(b["actionCard"], "text", n))


def wecom_body(card: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    people = list(card.get("at", ()))
    user_ids = [p["user_ids"]["wecom"] for p in people if p.get("user_ids", {}).get("wecom")]
    buttons = _buttons(card)
    if user_ids or not buttons:
        # Template cards cannot @ anyone, and need a click target: markdown does both jobs.
        lines = [f"### {_headline(card)}", f"**{card['title']}**"]
        lines += [f"> {k}：{v}" for k, v in _facts(card, now)]
        lines += [f"[{text}]({url})" for text, url in buttons]
        if not buttons:
            lines.append(f"确认：brandguard alerts ack {card['incident_id']}")
        lines += [f"<@{u}>" for u in user_ids]
        # The mentions are at the end: cut the body, never the mentions.
        tail = "\n".join(f"<@{u}>" for u in user_ids)
        head = "\n".join(lines[: len(lines) - len(user_ids)])
        room = WECOM_MARKDOWN_LIMIT - len(tail.encode()) - 1
        content = _cut_bytes(head, room) + ("\n" + tail if tail else "")
        return {"msgtype": "markdown", "markdown": {"content": content}}
    facts = _facts(card, now)
    return {
        "msgtype": "template_card",
        "template_card": {
            "card_type": "text_notice",
            "source": {"desc": "BrandGuard 舆情", "desc_color": 2 if card["severity"] == "P1" else 0},
            "main_title": {
                "title": _cut(_headline(card), WECOM_TITLE_CHARS),
                "desc": _cut(str(card["title"]), 30),
            },
            "emphasis_content": {"title": str(card["severity"]), "desc": _cut(_time_left(card, now), 15)},
            "horizontal_content_list": [
                {"keyname": k, "value": _cut(v, WECOM_VALUE_CHARS)} for k, v in facts[:6]
            ],
            "jump_list": [{"type": 1, "title": text, "url": url} for text, url in buttons[:3]],
            "card_action": {"type": 1, "url": buttons[0][1]},
        },
    }


def _size(body: Mapping[str, Any]) -> int:
    return len(json.dumps(body, ensure_ascii=False).encode())


def _fit(body: dict[str, Any], limit: int, shrink: Callable[[dict[str, Any], int], None]) -> dict[str, Any]:
    """Shorten the main text until the body fits the platform's limit (mentions and buttons survive)."""
    excess = _size(body) - limit
    if excess > 0:
        shrink(body, excess + 16)
    return body


def _shrink_key(holder: dict[str, Any], key: str, excess: int) -> None:
    text = str(holder[key])
    holder[key] = _cut_bytes(text, max(64, len(text.encode()) - excess))


def _shrink_div(text_holder: dict[str, Any], excess: int) -> None:
    _shrink_key(text_holder, "content", excess)
