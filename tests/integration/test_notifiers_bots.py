"""Notifiers and the outbox against fake bots on loopback (real HTTP, real signatures)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.errors import NotifierError, RateLimited
from alerts.notifiers.dingtalk import DingTalkNotifier
from alerts.notifiers.email import EmailNotifier
from alerts.notifiers.feishu import FeishuNotifier
from alerts.notifiers.wecom import WeComNotifier
from monitor import incidents
from monitor.incidents.outbox import deliver_due
from monitor.storage.schema import channel_state, outbox
from tests.integration import fake_bots as fb
from tests.monitor.incidents.helpers import T0, add_mention, make_config

pytestmark = pytest.mark.integration

MSG = {"title": "【P1·新负面舆情】星巴克", "text": "舆情 正文", "markdown": "### 舆情 正文"}
NOW = datetime.now(UTC)


@pytest.fixture
def bots() -> Iterator[tuple[str, fb.BotState]]:
    with fb.fake_bots() as served:
        yield served


def _notifier(
    kind: str, base: str, *, good: bool = True
) -> WeComNotifier | DingTalkNotifier | FeishuNotifier:
    if kind == "wecom":
        return WeComNotifier(f"{base}/wecom/send", key=fb.WECOM_KEY if good else "wrong")
    if kind == "dingtalk":
        return DingTalkNotifier(
            f"{base}/dingtalk/robot/send?access_token={fb.DINGTALK_TOKEN}",
            secret=fb.DINGTALK_SECRET if good else "SECwrong",
        )
    return FeishuNotifier(f"{base}/feishu/hook/abc", secret=fb.FEISHU_SECRET if good else "wrong")


KINDS = ["wecom", "dingtalk", "feishu"]


@pytest.mark.parametrize("kind", KINDS)
def test_success(bots: tuple[str, fb.BotState], kind: str) -> None:
    base, state = bots
    _notifier(kind, base).send(MSG, idempotency_key="k1", now=NOW)
    assert len(state.accepted) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_bad_key_or_signature_is_permanent(bots: tuple[str, fb.BotState], kind: str) -> None:
    base, state = bots
    with pytest.raises(NotifierError) as info:
        _notifier(kind, base, good=False).send(MSG, idempotency_key="k1", now=NOW)
    assert info.value.permanent and not isinstance(info.value, RateLimited)
    assert state.received and not state.accepted  # HTTP 200 came back, yet nothing was delivered


@pytest.mark.parametrize("kind", ["dingtalk", "feishu"])
def test_keyword_rejection_is_permanent(bots: tuple[str, fb.BotState], kind: str) -> None:
    base, state = bots
    state.keyword = "BrandGuard"
    with pytest.raises(NotifierError) as info:
        _notifier(kind, base).send(MSG, idempotency_key="k1", now=NOW)
    assert info.value.permanent


@pytest.mark.parametrize("kind", KINDS)
def test_rate_limit_code(bots: tuple[str, fb.BotState], kind: str) -> None:
    base, state = bots
    state.rate_per_minute = 2
    bot = _notifier(kind, base)
    bot.send(MSG, idempotency_key="a", now=NOW)
    bot.send(MSG, idempotency_key="b", now=NOW)
    with pytest.raises(RateLimited):
        bot.send(MSG, idempotency_key="c", now=NOW)


def _pipeline_config(base: str, kind: str, rate: int) -> object:
    channel: dict[str, object] = {"name": "bot", "kind": kind, "rate_per_minute": rate}
    env = {
        "WECOM_KEY": fb.WECOM_KEY,
        "BOT_SECRET": fb.DINGTALK_SECRET if kind == "dingtalk" else fb.FEISHU_SECRET,
    }
    if kind == "wecom":
        channel.update(url=f"{base}/wecom/send", key_env="WECOM_KEY")
    elif kind == "dingtalk":
        channel.update(
            url=f"{base}/dingtalk/robot/send?access_token={fb.DINGTALK_TOKEN}", secret_env="BOT_SECRET"
        )
    else:
        channel.update(url=f"{base}/feishu/hook/abc", secret_env="BOT_SECRET")
    return make_config(channels=[channel], routes=[{"channels": ["bot"]}], environ=env), env


@pytest.mark.parametrize("kind", KINDS)
def test_outbox_overflow_digest_through_real_bot(
    bots: tuple[str, fb.BotState], kind: str, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.storage.engine import open_database

    base, state = bots
    cfg, env = _pipeline_config(base, kind, rate=20)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    engine = open_database(sqlite_url)
    try:
        for i in range(25):
            add_mention(engine, story=f"s{i}")
        incidents.process_pending_mentions(engine, cfg, T0)  # type: ignore[arg-type]
        assert deliver_due(engine, cfg, NOW) == 20  # type: ignore[arg-type]
        assert len(state.accepted) == 20 and len(state.received) == 20  # our own limiter kept us under theirs
        body = str(state.accepted[-1]["body"])
        assert "舆情汇总" in body and "6 条通知" in body
    finally:
        engine.dispose()


def test_bad_signature_disables_channel_end_to_end(
    bots: tuple[str, fb.BotState], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.storage.engine import open_database

    base, state = bots
    monkeypatch.setenv("BOT_SECRET", "not-the-secret")
    cfg = make_config(
        channels=[
            {"name": "bot", "kind": "feishu", "url": f"{base}/feishu/hook/abc", "secret_env": "BOT_SECRET"}
        ],
        routes=[{"channels": ["bot"]}],
        environ={"BOT_SECRET": "x"},
    )
    engine = open_database(sqlite_url)
    try:
        add_mention(engine)
        add_mention(engine, story="s2")
        incidents.process_pending_mentions(engine, cfg, T0)
        assert deliver_due(engine, cfg, NOW) == 0
        with engine.connect() as conn:
            reason = conn.execute(select(channel_state.c.disabled_reason)).scalar_one()
            statuses = list(conn.execute(select(outbox.c.status)).scalars())
        assert "19021" in reason and statuses == ["failed", "failed"]
        assert len(state.received) == 1
    finally:
        engine.dispose()


# --- e-mail ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    try:
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"openssl is needed to make a test certificate: {exc}")
    return cert, key


def _smtp_state(tls_files: tuple[Path, Path]) -> fb.SmtpState:
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*tls_files)
    return fb.SmtpState(context=ctx)


def test_email_over_starttls(tls_files: tuple[Path, Path]) -> None:
    import ssl

    state = _smtp_state(tls_files)
    client_ctx = ssl.create_default_context(cafile=str(tls_files[0]))
    with fb.fake_smtp(state) as port:
        n = EmailNotifier(
            host="127.0.0.1",
            port=port,
            sender="bg@example.com",
            recipients=["pr@example.com"],
            username="bg",
            password="pw",
            ssl_context=client_ctx,
        )
        n.send(MSG, idempotency_key="inc1-opened", now=NOW)
        n.send(MSG, idempotency_key="inc1-opened", now=NOW)  # a retry
    assert len(state.messages) == 2 and all(m["tls"] for m in state.messages)
    ids = {
        line
        for m in state.messages
        for line in m["data"].decode().splitlines()
        if line.startswith("Message-ID")
    }
    assert len(ids) == 1  # the retry carries the same Message-ID


def test_email_refuses_to_fall_back_to_plain_text(tls_files: tuple[Path, Path]) -> None:
    state = _smtp_state(tls_files)
    with fb.fake_smtp(state) as port:
        # Untrusted certificate: the default context must reject it, and nothing is sent in clear.
        n = EmailNotifier(host="127.0.0.1", port=port, sender="a@example.com", recipients=["b@example.com"])
        with pytest.raises(NotifierError):
            n.send(MSG, idempotency_key="k", now=NOW)
    assert state.messages == []
