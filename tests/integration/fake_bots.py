"""Fake WeCom, DingTalk, Feishu and generic-webhook receivers on loopback, plus a STARTTLS SMTP server.

They check what the real platforms check (key, signature, keyword, rate) and answer the way the real
ones do: HTTP 200 with the platform's error code in the body. Every request is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socketserver
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

WECOM_KEY = "wecom-key-123"
DINGTALK_TOKEN = "ding-token"
DINGTALK_SECRET = "SECding"
FEISHU_SECRET = "feishu-secret"
WEBHOOK_SECRET = "hook-secret"


@dataclass
class BotState:
    rate_per_minute: int = 20
    keyword: str | None = None  # Feishu/DingTalk "custom keyword" security setting
    hang_first_webhook: bool = False  # hold the first webhook request without answering
    received: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    sent_times: dict[str, list[float]] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def over_limit(self, bot: str) -> bool:
        now = time.monotonic()
        with self.lock:
            times = [t for t in self.sent_times.get(bot, []) if now - t < 60]
            if len(times) >= self.rate_per_minute:
                self.sent_times[bot] = times
                return True
            times.append(now)
            self.sent_times[bot] = times
            return False


def _dingtalk_sign(secret: str, ts: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()


def _feishu_sign(secret: str, ts: str) -> str:
    return base64.b64encode(hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()


# --- payload schemas, as documented for the custom / group bots ------------------------------------


def _url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def feishu_problem(body: dict[str, Any]) -> str | None:
    """Why Feishu would reject the message body, or None."""
    if len(json.dumps(body, ensure_ascii=False).encode()) > 20_000:
        return "request body exceeds 20KB"
    kind = body.get("msg_type")
    if kind == "text":
        return None if isinstance(body.get("content", {}).get("text"), str) else "content.text missing"
    if kind != "interactive":
        return f"unsupported msg_type {kind!r}"
    card = body.get("card")
    if not isinstance(card, dict):
        return "card missing"
    title = card.get("header", {}).get("title", {})
    if title.get("tag") != "plain_text" or not title.get("content"):
        return "card.header.title must be plain_text with content"
    elements = card.get("elements")
    if not isinstance(elements, list) or not elements:
        return "card.elements missing"
    for element in elements:
        tag = element.get("tag")
        if tag == "div":
            text = element.get("text", {})
            if text.get("tag") not in ("plain_text", "lark_md") or not isinstance(text.get("content"), str):
                return "div.text must be plain_text or lark_md"
        elif tag == "action":
            for button in element.get("actions", []):
                if button.get("tag") != "button" or button.get("text", {}).get("tag") != "plain_text":
                    return "action buttons need tag button and a plain_text text"
                if not _url(button.get("url")):
                    return "button url must be http(s)"
        elif tag != "hr":
            return f"unknown element tag {tag!r}"
    return None


def dingtalk_problem(body: dict[str, Any]) -> str | None:
    if len(json.dumps(body, ensure_ascii=False).encode()) > 20_000:
        return "message too long"
    kind = body.get("msgtype")
    if kind == "markdown":
        md = body.get("markdown", {})
        if not md.get("title") or not md.get("text"):
            return "markdown needs title and text"
        at = body.get("at")
        if at is not None:
            if not isinstance(at.get("atMobiles", []), list) or not isinstance(at.get("atUserIds", []), list):
                return "at.atMobiles / at.atUserIds must be lists"
            for mobile in at.get("atMobiles", []):
                if f"@{mobile}" not in md["text"]:
                    return f"@{mobile} is not in the text (DingTalk would not highlight it)"
        return None
    if kind == "actionCard":
        card = body.get("actionCard", {})
        if not card.get("title") or not card.get("text"):
            return "actionCard needs title and text"
        if "at" in body:
            return "actionCard cannot @ anyone"
        for button in card.get("btns", []):
            if not button.get("title") or not _url(button.get("actionURL")):
                return "btns need title and an http(s) actionURL"
        return None
    if kind == "text":
        return None if body.get("text", {}).get("content") else "text.content missing"
    return f"unsupported msgtype {kind!r}"


def wecom_problem(body: dict[str, Any]) -> str | None:
    kind = body.get("msgtype")
    if kind == "markdown":
        content = body.get("markdown", {}).get("content", "")
        if len(content.encode()) > 4096:
            return "markdown.content exceed max length 4096"
        return None if content else "markdown.content missing"
    if kind == "template_card":
        card = body.get("template_card", {})
        if card.get("card_type") != "text_notice":
            return "card_type must be text_notice"
        if not (card.get("main_title", {}).get("title") or card.get("sub_title_text")):
            return "main_title.title or sub_title_text is required"
        action = card.get("card_action", {})
        if action.get("type") != 1 or not _url(action.get("url")):
            return "card_action with type 1 and a url is required"
        rows = card.get("horizontal_content_list", [])
        if len(rows) > 6 or any(not r.get("keyname") or len(r["keyname"]) > 5 for r in rows):
            return "horizontal_content_list: at most 6 rows, keyname 1-5 characters"
        jumps = card.get("jump_list", [])
        if len(jumps) > 3 or any(j.get("type") != 1 or not _url(j.get("url")) for j in jumps):
            return "jump_list: at most 3 entries of type 1 with a url"
        return None
    if kind == "text":
        return None if body.get("text", {}).get("content") else "text.content missing"
    return f"invalid message type {kind!r}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        return

    def _answer(self, body: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._answer({"errcode": 40035, "errmsg": "invalid json"})
            return
        record = {
            "path": parts.path,
            "query": query,
            "body": body,
            "idempotency_key": self.headers.get("Idempotency-Key"),
        }
        with state.lock:
            state.received.append(record)
            first = len(state.received) == 1
        if parts.path.startswith("/wecom"):
            self._wecom(state, query, body, record)
        elif parts.path.startswith("/dingtalk"):
            self._dingtalk(state, query, body, record)
        elif parts.path.startswith("/feishu"):
            self._feishu(state, body, record)
        else:
            self._webhook(state, raw, record, first)

    def _ok(self, state: BotState, record: dict[str, Any], body: dict[str, Any]) -> None:
        with state.lock:
            state.accepted.append(record)
        self._answer(body)

    def _wecom(
        self, state: BotState, query: dict[str, str], body: dict[str, Any], record: dict[str, Any]
    ) -> None:
        if query.get("key") != WECOM_KEY:
            self._answer({"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_1_abc]"})
        elif state.over_limit("wecom"):
            self._answer({"errcode": 45009, "errmsg": "api freq out of limit"})
        elif problem := wecom_problem(body):
            self._answer({"errcode": 40058, "errmsg": problem})
        else:
            self._ok(state, record, {"errcode": 0, "errmsg": "ok"})

    def _dingtalk(
        self, state: BotState, query: dict[str, str], body: dict[str, Any], record: dict[str, Any]
    ) -> None:
        text = json.dumps(body, ensure_ascii=False)
        if query.get("access_token") != DINGTALK_TOKEN:
            self._answer({"errcode": 300001, "errmsg": "token is not exist"})
        elif query.get("sign") != _dingtalk_sign(DINGTALK_SECRET, query.get("timestamp", "")):
            self._answer({"errcode": 310000, "errmsg": "sign not match"})
        elif state.keyword and state.keyword not in text:
            self._answer({"errcode": 310000, "errmsg": "keywords not in content"})
        elif problem := dingtalk_problem(body):
            self._answer({"errcode": 40035, "errmsg": problem})
        elif state.over_limit("dingtalk"):
            self._answer({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
        else:
            self._ok(state, record, {"errcode": 0, "errmsg": "ok"})

    def _feishu(self, state: BotState, body: dict[str, Any], record: dict[str, Any]) -> None:
        if body.get("sign") != _feishu_sign(FEISHU_SECRET, str(body.get("timestamp", ""))):
            self._answer(
                {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                }
            )
        elif state.keyword and state.keyword not in json.dumps(body, ensure_ascii=False):
            self._answer({"code": 19024, "msg": "Key Words Not Found"})
        elif problem := feishu_problem(body):
            self._answer({"code": 11246, "msg": problem})
        elif state.over_limit("feishu"):
            self._answer({"code": 11232, "msg": "frequency limited psm[lark.oapi.app_platform_runtime]"})
        else:
            self._ok(state, record, {"code": 0, "msg": "success", "data": {}})

    def _webhook(self, state: BotState, raw: bytes, record: dict[str, Any], first: bool) -> None:
        ts = self.headers.get("X-BrandGuard-Timestamp", "")
        mac = hmac.new(WEBHOOK_SECRET.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
        if self.headers.get("X-BrandGuard-Signature") != f"sha256={mac}":
            self._answer({"error": "bad signature"}, status=401)
            return
        if first and state.hang_first_webhook:
            state.release.wait(30)  # the sender is killed while we hold its request
            return
        self._ok(state, record, {"ok": True})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: BotState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def fake_bots(state: BotState | None = None) -> Iterator[tuple[str, BotState]]:
    """Yield (base_url, state) for a server answering /wecom, /dingtalk, /feishu and /webhook."""
    st = state or BotState()
    server = _Server(st)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", st
    finally:
        st.release.set()
        server.shutdown()
        server.server_close()


# --- SMTP with STARTTLS ----------------------------------------------------------------------------


@dataclass
class SmtpState:
    context: ssl.SSLContext
    require_tls: bool = True
    messages: list[dict[str, Any]] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: _SmtpServer

    def _send(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self) -> None:
        tls_conn: ssl.SSLSocket | None = None
        try:
            tls_conn = self._dialogue()
        except (ssl.SSLError, OSError):
            return  # the client gave up on our certificate: nothing was sent
        finally:
            if tls_conn is not None:
                tls_conn.close()

    def _dialogue(self) -> ssl.SSLSocket | None:
        state = self.server.state
        conn: ssl.SSLSocket | None = None
        tls = False
        sender, rcpts = "", []
        self._send("220 fake.smtp ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return conn
            cmd = line.decode().strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-fake.smtp\r\n")
                self._send("250 STARTTLS" if not tls else "250 AUTH PLAIN")
            elif verb == "STARTTLS":
                self._send("220 ready to start TLS")
                conn = state.context.wrap_socket(self.connection, server_side=True)
                self.connection = conn
                self.rfile = conn.makefile("rb")
                self.wfile = conn.makefile("wb")
                tls = True
            elif verb in ("MAIL", "RCPT", "DATA") and state.require_tls and not tls:
                self._send("530 5.7.0 Must issue a STARTTLS command first")
            elif verb == "MAIL":
                sender = cmd.split(":", 1)[1].strip().strip("<>")
                self._send("250 OK")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                self._send("250 OK")
            elif verb == "DATA":
                self._send("354 end with .")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                state.messages.append({"from": sender, "to": rcpts, "data": b"".join(data), "tls": tls})
                self._send("250 OK queued")
            elif verb == "AUTH":
                self._send("235 OK")
            elif verb == "QUIT":
                self._send("221 bye")
                return conn
            else:
                self._send("250 OK")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: SmtpState) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.state = state


@contextmanager
def fake_smtp(state: SmtpState) -> Iterator[int]:
    server = _SmtpServer(state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
