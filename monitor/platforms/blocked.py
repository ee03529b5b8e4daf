"""Blocked detection: a response (status, headers, body) -> a not-covered state with its reason, or None.

Pure. Platforms rarely say "blocked" with a status code: Weibo answers HTTP 200 with
``{"ok":-100,"msg":"请先登录"}``, a login wall or a 安全验证 slider is an ordinary HTML page, and RSSHub
turns an upstream refusal into its own error page. The crawl pipeline asks only about responses that did
not parse into items (or came back with an error status), so a post that merely *quotes* "请先登录" can
never make a healthy feed look blocked.

States: ``blocked`` (the platform refuses us: login wall, captcha, rate limit, risk control),
``needs_config`` (an operator must act: cookie expired, RSSHub route missing its config),
``throttled`` (asked to wait), ``failing`` (anything else that is broken).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Checked in order: the first signature found names the reason. Cookie problems come before login
# walls because an expired-cookie page usually also says "登录".
_SIGNATURES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "needs_config",
        "cookie expired",
        (
            "cookies expired",
            "cookie expired",
            "cookie 已过期",
            "cookie已过期",
            "cookie失效",
            "cookie 失效",
            "登录已过期",
            "登录状态已失效",
            "renewweibocookieserror",
        ),
    ),
    (
        "needs_config",
        "RSSHub route needs config",
        ("confignotfounderror", "due to the absense of", "due to the absence of", "is not available due to"),
    ),
    (
        "blocked",
        "captcha",
        (
            "安全验证",
            "滑动验证",
            "请完成验证",
            "人机验证",
            "验证码",
            "captcha",
            "geetest",
            "verify you are human",
        ),
    ),
    (
        "blocked",
        "rate limited",
        ("访问过于频繁", "请求过于频繁", "操作过于频繁", "操作频繁", "too many requests", "访问频率过高"),
    ),
    (
        "blocked",
        "login required",
        (
            "请先登录",
            "登录后查看",
            "登录后才能",
            "扫码登录",
            "请登录",
            "passport.weibo.com",
            "sina visitor system",
            "login required",
            "need login",
            "未登录",
        ),
    ),
    (
        "blocked",
        "risk control",
        ("风控", "请求被拦截", "访问受限", "access denied", "forbidden by"),
    ),
)

# RSSHub's own error page ("Looks like something went wrong" with the error message in a block).
_RSSHUB_PAGE = ("looks like something went wrong", "rsshub")
_RSSHUB_MESSAGE = re.compile(r"(?:error message|message)[^:：]*[:：]\s*(?:<[^>]+>\s*)*([^<\n]{3,200})", re.I)
# The platform answered RSSHub with a refusal: RSSHub is fine, the platform blocks it.
_UPSTREAM_REFUSED = re.compile(r"\b(?:403|412|418)\b|forbidden", re.I)
_JSON_CODE_KEYS = ("ok", "code", "errcode", "error_code", "status_code")
_JSON_MESSAGE_KEYS = ("msg", "message", "errmsg", "error_msg", "error")
_SCAN_BYTES = 256 * 1024


@dataclass(frozen=True)
class Verdict:
    state: str  # blocked | needs_config | throttled | failing
    reason: str

    @property
    def label(self) -> str:
        """How ``sources list``, the console and messages show it: ``blocked (login required)``."""
        return f"{self.state.replace('_', ' ')} ({self.reason})"


def detect(status: int | None, headers: Mapping[str, str], body: bytes | None) -> Verdict | None:
    """Why this response is not a usable result, or None when nothing says so."""
    text = (body or b"")[:_SCAN_BYTES].decode("utf-8", errors="replace")
    lowered = text.lower()
    json_verdict = _json_error(text)
    if json_verdict is not None:
        return json_verdict
    if any(marker in lowered for marker in _RSSHUB_PAGE) and "went wrong" in lowered:
        message = _rsshub_message(text)
        inner = _signature(message.lower()) if message else None
        if inner is not None:
            return inner
        if _UPSTREAM_REFUSED.search(message):
            return Verdict("blocked", "refused upstream")
        return Verdict("failing", f"RSSHub error: {message}" if message else "RSSHub error page")
    found = _signature(lowered)
    if found is not None:
        return found
    if status in (401, 407):
        return Verdict("needs_config", f"HTTP {status} unauthorized")
    if status in (403, 412, 418):
        return Verdict("blocked", f"HTTP {status} refused")
    if status == 429:
        return Verdict("throttled", "HTTP 429")
    return None


def _signature(lowered: str) -> Verdict | None:
    for state, reason, needles in _SIGNATURES:
        if any(needle in lowered for needle in needles):
            return Verdict(state, reason)
    return None


def _json_error(text: str) -> Verdict | None:
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return None
    try:
        data = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("error"), dict):  # {"error": {"code": 40362, "message": "..."}} (Zhihu style)
        data = {**data, **data["error"]}
    message = next((str(data[k]) for k in _JSON_MESSAGE_KEYS if isinstance(data.get(k), str | int)), "")
    code = next((data[k] for k in _JSON_CODE_KEYS if k in data), None)
    failed = _failure_code(code)
    if not failed and not message:
        return None
    by_text = _signature(message.lower()) if message else None
    if by_text is not None:
        return by_text
    if failed:
        shown = f"{message} " if message else ""
        return Verdict("failing", f"{shown}(code {code})".strip())
    return None


def _failure_code(code: object) -> bool:
    """Weibo ``ok`` is 1 on success; most others use 0 for success. Anything else is an error."""
    if code is None or isinstance(code, bool):
        return code is False
    if isinstance(code, int | float):
        return code not in (0, 1, 200)
    return str(code).strip() not in ("0", "1", "200", "ok", "success")


def _rsshub_message(text: str) -> str:
    match = _RSSHUB_MESSAGE.search(text)
    return html.unescape(match.group(1)).strip() if match else ""
