"""The table from channel kind to notifier."""

from __future__ import annotations

import pytest

from alerts.errors import NotifierError
from alerts.notifiers.dingtalk import DingTalkNotifier
from alerts.notifiers.email import EmailNotifier
from alerts.notifiers.feishu import FeishuNotifier
from alerts.notifiers.registry import KINDS, ChannelSettings, SmtpSettings, build_notifier
from alerts.notifiers.webhook import WebhookNotifier
from alerts.notifiers.wecom import WeComNotifier

SMTP = SmtpSettings(host="smtp.test", sender="a@b.c", recipients=("x@y.z",), password="pw")


@pytest.mark.parametrize(
    ("settings", "cls"),
    [
        (ChannelSettings("webhook", "https://h.test/", secret="s"), WebhookNotifier),
        (ChannelSettings("wecom", "https://qyapi.test/send", key="wk"), WeComNotifier),
        (ChannelSettings("dingtalk", "https://oapi.test/send", secret="ds"), DingTalkNotifier),
        (ChannelSettings("feishu", "https://open.test/hook", secret="fs"), FeishuNotifier),
        (ChannelSettings("email", smtp=SMTP), EmailNotifier),
    ],
    ids=lambda v: getattr(v, "kind", ""),
)
def test_each_kind_builds_its_notifier(settings: ChannelSettings, cls: type) -> None:
    notifier = build_notifier(settings)
    try:
        assert isinstance(notifier, cls) and notifier.kind == settings.kind
    finally:
        notifier.close()


def test_table_covers_every_kind() -> None:
    assert set(KINDS) == {"webhook", "wecom", "dingtalk", "feishu", "email"}


def test_unknown_kind_or_missing_smtp_is_permanent() -> None:
    with pytest.raises(NotifierError) as unknown:
        build_notifier(ChannelSettings("pager", "https://x.test/"))
    assert unknown.value.permanent
    with pytest.raises(NotifierError) as no_smtp:
        build_notifier(ChannelSettings("email"))
    assert no_smtp.value.permanent


def test_secrets_stay_out_of_repr() -> None:
    text = repr(ChannelSettings("dingtalk", "https://oapi.test/send", secret="topsecret", key="k2"))
    assert "topsecret" not in text and "k2" not in text
