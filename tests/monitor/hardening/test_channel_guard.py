"""Channel URLs get the sources' address guard (issue 11): `config check` refuses metadata and loopback
webhooks, the outbox refuses them at send time, and risky settings are warned about."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from monitor.cli import main
from monitor.commands.serve import _is_loopback
from monitor.fetch.channel_guard import (
    GuardedSyncBackend,
    channel_policy,
    check_url,
    guarded_sync_transport,
    literal_problem,
)
from monitor.fetch.errors import BlockedURLError
from monitor.incidents import intake
from monitor.incidents.outbox import deliver_due
from monitor.storage.schema import outbox
from tests.monitor.incidents.helpers import T0, add_mention, make_config

OPEN = channel_policy((), ())


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",  # 169.254.169.254 as one number
        "http://127.1:8080/hook",
        "http://0x7f000001/hook",
        "http://[::1]/hook",
        "http://[::ffff:169.254.169.254]/",
        "http://10.0.0.5/hook",
        "http://localhost:9000/hook",
    ],
)
def test_internal_literals_are_refused_offline(url: str) -> None:
    assert literal_problem(url, OPEN) is not None
    with pytest.raises(BlockedURLError):
        check_url(url, OPEN)


def test_allow_networks_and_hosts_open_the_guard_for_intranet_channels() -> None:
    policy = channel_policy(("hooks.intranet",), ("10.0.0.0/8",))
    assert literal_problem("http://10.0.0.5/hook", policy) is None
    assert literal_problem("https://hooks.intranet/x", policy) is None
    assert literal_problem("https://qyapi.weixin.qq.com/cgi-bin/webhook/send", OPEN) is None


def test_config_check_fails_on_a_metadata_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "brandguard.toml"
    config.write_text(
        '[[channels]]\nname = "hook"\nkind = "webhook"\nurl = "http://169.254.169.254/latest/meta-data/"\n',
        encoding="utf-8",
    )
    assert main(["config", "check", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"brandguard: error: {config}: channels[0].url: address 169.254.169.254 is a ")
    assert err.count("\n") == 1


def test_config_check_warns_about_allow_all_networks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "brandguard.toml"
    config.write_text('[daemon]\nallow_networks = ["0.0.0.0/0", "169.254.0.0/16"]\n', encoding="utf-8")
    assert main(["config", "check", str(config)]) == 0
    err = capsys.readouterr().err
    assert "daemon.allow_networks[0]: 0.0.0.0/0 allows every address" in err
    assert "daemon.allow_networks[1]: 169.254.0.0/16 includes the cloud metadata address" in err


def test_outbox_refuses_an_internal_webhook_at_send_time(sqlite_engine: Engine) -> None:
    # built without config check (e.g. a config edited while the daemon runs): the sender still refuses
    cfg = make_config(
        channels=[
            {"name": "pr", "kind": "webhook", "url": "http://169.254.169.254/hook"},
            {"name": "lead", "kind": "webhook", "url": "http://169.254.169.254/lead"},
        ]
    )
    add_mention(sqlite_engine)
    intake.process_pending_mentions(sqlite_engine, cfg, T0)
    assert deliver_due(sqlite_engine, cfg, T0) == 0
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(outbox.c.status, outbox.c.last_error)).all()
    assert rows and all(status == "failed" for status, _ in rows)
    expected = "channel url refused: address 169.254.169.254 is a link-local address"
    assert all(expected in str(error) for _, error in rows)


def test_pinned_transport_refuses_a_name_resolving_inside() -> None:
    client = httpx.Client(transport=guarded_sync_transport(OPEN))
    with pytest.raises(httpx.ConnectError, match="refused by the address guard"):
        client.post("http://localhost:9/hook", json={})
    assert isinstance(client._transport._pool._network_backend, GuardedSyncBackend)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("192.168.1.5", False)],
)
def test_insecure_cookies_warning_only_off_loopback(host: str, loopback: bool) -> None:
    assert _is_loopback(host) is loopback
