"""Configuration as the plain values ``alerts/`` takes: routes, update parameters, render settings, and
channel settings with their secrets read from the environment.

This is the only place on the alert path where secrets are read: the configuration names environment
variables (``secret_env``, ``key_env``, ``password_env``), and the values go straight into the notifier
without being stored or logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from alerts.incident_update import UpdateParams
from alerts.notifiers.base import Notifier
from alerts.notifiers.registry import ChannelSettings, SmtpSettings
from alerts.notifiers.registry import build_notifier as build_from_settings
from alerts.outgoing import RenderSettings
from alerts.quiet import QuietWindow
from alerts.routing import Route

if TYPE_CHECKING:
    import httpx

    from monitor.config import Config
    from monitor.config.alerting import ChannelConfig


def routes(config: Config) -> tuple[Route, ...]:
    return tuple(
        Route(
            brands=tuple(r.brands),
            severities=tuple(r.severities),
            channels=tuple(r.channels),
            escalate_to=tuple(r.escalate_to),
        )
        for r in config.routes
    )


def update_params(config: Config, brand: str) -> UpdateParams:
    section = config.alerts
    return UpdateParams(
        policy=section.policy_params(brand),
        respond_by_hours={str(k): v for k, v in section.respond_by_hours.items()},
        calendar=section.business_calendar(),
        calendars=section.severity_calendar_map(),
        reminder_offsets_minutes=tuple(section.reminder_offsets_minutes),
        escalate_after_minutes=section.escalate_after_minutes,
    )


def render_settings(config: Config) -> RenderSettings:
    section = config.alerts
    window = section.quiet_window()
    quiet = None if window is None else QuietWindow(*window)
    return RenderSettings(display_tz=section.display_tz, ack_hint=section.ack_hint, quiet=quiet)


def channel_settings(channel: ChannelConfig, environ: Mapping[str, str] | None = None) -> ChannelSettings:
    """The channel with its secrets read from the named environment variables."""
    env = os.environ if environ is None else environ

    def secret(name: str | None) -> str | None:
        return env.get(name) if name else None

    smtp = None
    if channel.smtp is not None:
        s = channel.smtp
        smtp = SmtpSettings(
            host=s.host,
            sender=s.sender,
            recipients=tuple(s.recipients),
            port=s.port,
            starttls=s.starttls,
            username=s.username,
            password=secret(s.password_env),
            timeout_s=s.timeout_s,
        )
    return ChannelSettings(
        kind=channel.kind,
        url=channel.url or "",
        secret=secret(channel.secret_env),
        key=secret(channel.key_env),
        smtp=smtp,
        timeout_s=channel.timeout_s,
    )


def build_notifier(
    channel: ChannelConfig,
    *,
    transport: httpx.BaseTransport | None = None,
    environ: Mapping[str, str] | None = None,
) -> Notifier:
    """The notifier for a configured channel (``alerts.notifiers.registry``), secrets from the environment."""
    return build_from_settings(channel_settings(channel, environ), transport=transport)
