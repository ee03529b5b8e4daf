"""The one table from channel kind to notifier. Adding a platform: write its module, add one row here
(and its name to ``ChannelKind`` in the configuration model, which a test keeps in step with this table).

Factories take plain ``ChannelSettings`` whose secrets the edge has already read from the environment:
this package never sees the configuration file nor ``os.environ``. Notifier modules are imported when a
channel of their kind is built, so importing the table costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alerts.errors import NotifierError
from alerts.notifiers.base import Notifier

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    recipients: Sequence[str]
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    timeout_s: float = 10.0


@dataclass(frozen=True)
class ChannelSettings:
    """One channel as plain values. ``secret`` signs (webhook, DingTalk, Feishu); ``key`` is WeCom's."""

    kind: str
    url: str = ""
    secret: str | None = None
    key: str | None = None
    smtp: SmtpSettings | None = None
    timeout_s: float = 10.0

    def __repr__(self) -> str:
        # Settings end up in tracebacks and debug logs; the secrets must not.
        return f"ChannelSettings(kind={self.kind!r}, url={self.url!r}, secrets=<hidden>)"


Factory = Callable[[ChannelSettings, "httpx.BaseTransport | None"], Notifier]


def _webhook(s: ChannelSettings, transport: httpx.BaseTransport | None) -> Notifier:
    from alerts.notifiers.webhook import WebhookNotifier

    return WebhookNotifier(s.url, secret=s.secret, transport=transport, timeout_s=s.timeout_s)


def _wecom(s: ChannelSettings, transport: httpx.BaseTransport | None) -> Notifier:
    from alerts.notifiers.wecom import WeComNotifier

    return WeComNotifier(s.url, key=s.key, transport=transport, timeout_s=s.timeout_s)


def _dingtalk(s: ChannelSettings, transport: httpx.BaseTransport | None) -> Notifier:
    from alerts.notifiers.dingtalk import DingTalkNotifier

    return DingTalkNotifier(s.url, secret=s.secret, transport=transport, timeout_s=s.timeout_s)


def _feishu(s: ChannelSettings, transport: httpx.BaseTransport | None) -> Notifier:
    from alerts.notifiers.feishu import FeishuNotifier

    return FeishuNotifier(s.url, secret=s.secret, transport=transport, timeout_s=s.timeout_s)


def _email(s: ChannelSettings, transport: httpx.BaseTransport | None) -> Notifier:
    from alerts.notifiers.email import EmailNotifier

    if s.smtp is None:
        raise NotifierError("email channel without SMTP settings", permanent=True)
    smtp = s.smtp
    return EmailNotifier(
        host=smtp.host,
        port=smtp.port,
        sender=smtp.sender,
        recipients=smtp.recipients,
        starttls=smtp.starttls,
        username=smtp.username,
        password=smtp.password,
        timeout_s=smtp.timeout_s,
    )


NOTIFIERS: Mapping[str, Factory] = {
    "webhook": _webhook,
    "wecom": _wecom,
    "dingtalk": _dingtalk,
    "feishu": _feishu,
    "email": _email,
}
KINDS: tuple[str, ...] = tuple(NOTIFIERS)


def build_notifier(settings: ChannelSettings, *, transport: httpx.BaseTransport | None = None) -> Notifier:
    """The notifier for one channel; ``transport`` replaces the network in tests (HTTP kinds only)."""
    factory = NOTIFIERS.get(settings.kind)
    if factory is None:
        raise NotifierError(f"unknown channel kind {settings.kind!r}", permanent=True)
    return factory(settings, transport)
