"""Alerting part of ``brandguard.toml``: the ``[alerts]`` table, ``[[channels]]`` and ``[[routes]]``.

Every model forbids unknown keys so that a misspelt key is named in the validation error. Secrets are
never stored here: ``secret_env`` / ``key_env`` / ``password_env`` name environment variables.

Example::

    [alerts]
    threshold = 0.7
    brand_thresholds = { "星巴克" = 0.8 }
    respond_by_hours = { P1 = 2, P2 = 4, P3 = 8 }
    calendar = "business"              # or "24x7" (default)
    reminder_offsets_minutes = [120, 60, 30]
    escalate_after_minutes = 30

    [[channels]]
    name = "pr-wecom"
    kind = "wecom"
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    key_env = "BRANDGUARD_WECOM_KEY"

    [[routes]]
    brands = ["*"]
    severities = ["P1", "P2"]
    channels = ["pr-wecom"]
    escalate_to = ["pr-lead-dingtalk"]
"""

from __future__ import annotations

import re
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from alerts.deadline import BusinessCalendar
from alerts.policy import PolicyParams
from monitor.config.holidays import HolidayYearConfig, check_unique_years, holiday_table
from monitor.config.incident_ops import OnCallConfig, SpikeConfig

Severity = Literal["P1", "P2", "P3"]
ChannelKind = Literal["webhook", "wecom", "dingtalk", "feishu", "email"]
SEVERITIES: tuple[Severity, ...] = ("P1", "P2", "P3")

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _parse_hhmm(value: str) -> time:
    if not _HHMM.match(value):
        raise ValueError(f"expected HH:MM (24-hour), got {value!r}")
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BusinessHours(_Strict):
    start: str = "09:00"
    end: str = "18:00"
    tz: str = "Asia/Shanghai"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        _parse_hhmm(value)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> BusinessHours:
        if _parse_hhmm(self.start) >= _parse_hhmm(self.end):
            raise ValueError("business_hours.start must be before business_hours.end")
        return self


class QuietHours(_Strict):
    """Low severities raised in this window are held and sent as one digest when it ends. Never P1."""

    start: str = "22:00"
    end: str = "08:00"
    tz: str = "Asia/Shanghai"
    severities: list[Literal["P2", "P3"]] = Field(default_factory=lambda: ["P2", "P3"])  # type: ignore[arg-type]

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        _parse_hhmm(value)
        return value


class DigestSettings(_Strict):
    max_items: int = Field(default=20, ge=1, le=200)  # items listed in one digest message


class ReachTiers(_Strict):
    """Reach = followers + likes + reposts (whatever the source reports)."""

    p1: int = Field(default=100_000, ge=0)
    p2: int = Field(default=10_000, ge=0)


class VelocityTiers(_Strict):
    """Negative mentions of the same story inside ``velocity_window_minutes``."""

    p1: int = Field(default=20, ge=1)
    p2: int = Field(default=5, ge=1)


class AlertsSection(_Strict):
    threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    brand_thresholds: dict[str, float] = Field(default_factory=dict)
    # a mention below the threshold is still risky when it carries crisis terms and this much reach
    crisis_min_reach: int = Field(default=1_000, ge=0)
    p1_negativity: float = Field(default=0.95, ge=0.0, le=1.0)
    respond_by_hours: dict[Severity, float] = Field(
        default_factory=lambda: {"P1": 4.0, "P2": 4.0, "P3": 4.0}  # type: ignore[arg-type]
    )
    calendar: Literal["24x7", "business"] = "24x7"
    business_hours: BusinessHours = BusinessHours()
    # Per-severity calendar; severities not listed use ``calendar``. P1 is round the clock by default.
    severity_calendars: dict[Severity, Literal["24x7", "business"]] = Field(
        default_factory=lambda: {"P1": "24x7"}  # type: ignore[arg-type]
    )
    holiday_years: list[HolidayYearConfig] = Field(default_factory=list)
    reminder_offsets_minutes: list[int] = Field(default_factory=lambda: [120, 60, 30])
    escalate_after_minutes: int | None = Field(default=30, ge=1)
    quiet_hours: QuietHours | None = None
    digest: DigestSettings = DigestSettings()
    velocity_window_minutes: int = Field(default=60, ge=1)
    # A mention whose story_key matches no open incident still joins one of the same brand opened
    # within this window when its title tells the same story (alerts.story); 0 turns this off.
    story_window_minutes: int = Field(default=1440, ge=0)
    story_similarity: float = Field(default=0.6, gt=0.0, le=1.0)
    story_similarity_with_terms: float = Field(default=0.3, gt=0.0, le=1.0)
    velocity_tiers: VelocityTiers = VelocityTiers()
    reach_tiers: ReachTiers = ReachTiers()
    display_tz: str = "Asia/Shanghai"
    ack_hint: str = "brandguard alerts ack {id}"
    # Base address of the web console; with it, bot cards carry buttons with signed deep links.
    console_url: str = ""
    link_ttl_hours: int = Field(default=72, ge=1, le=24 * 30)
    oncall: list[OnCallConfig] = Field(default_factory=list)
    spike: SpikeConfig = SpikeConfig()

    @field_validator("console_url")
    @classmethod
    def _console_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("console_url must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("brand_thresholds")
    @classmethod
    def _thresholds_in_range(cls, value: dict[str, float]) -> dict[str, float]:
        for brand, threshold in value.items():
            if not 0.0 <= threshold <= 1.0:
                raise ValueError(f"threshold for brand {brand!r} must be between 0 and 1, got {threshold}")
        return value

    @field_validator("respond_by_hours")
    @classmethod
    def _positive_hours(cls, value: dict[str, float]) -> dict[str, float]:
        for severity, hours in value.items():
            if hours <= 0:
                raise ValueError(f"respond_by_hours.{severity} must be positive, got {hours}")
        return {**{s: 4.0 for s in SEVERITIES}, **value}

    @field_validator("holiday_years")
    @classmethod
    def _unique_years(cls, value: list[HolidayYearConfig]) -> list[HolidayYearConfig]:
        return check_unique_years(value)

    @field_validator("reminder_offsets_minutes")
    @classmethod
    def _positive_offsets(cls, value: list[int]) -> list[int]:
        if any(v <= 0 for v in value):
            raise ValueError("reminder_offsets_minutes must be positive minutes before the deadline")
        return sorted(set(value), reverse=True)

    def policy_params(self, brand: str) -> PolicyParams:
        return PolicyParams(
            threshold=self.brand_thresholds.get(brand, self.threshold),
            crisis_min_reach=self.crisis_min_reach,
            p1_negativity=self.p1_negativity,
            reach_p1=self.reach_tiers.p1,
            reach_p2=self.reach_tiers.p2,
            velocity_p1=self.velocity_tiers.p1,
            velocity_p2=self.velocity_tiers.p2,
        )

    def business_calendar(self, kind: str | None = None) -> BusinessCalendar | None:
        if (kind or self.calendar) == "24x7":
            return None
        return BusinessCalendar(
            start=_parse_hhmm(self.business_hours.start),
            end=_parse_hhmm(self.business_hours.end),
            tz=self.business_hours.tz,
            holidays=holiday_table(self.holiday_years),
        )

    def severity_calendar_map(self) -> dict[str, BusinessCalendar | None]:
        return {str(s): self.business_calendar(kind) for s, kind in self.severity_calendars.items()}

    def quiet_window(self) -> tuple[time, time, str, frozenset[str]] | None:
        if self.quiet_hours is None:
            return None
        q = self.quiet_hours
        return _parse_hhmm(q.start), _parse_hhmm(q.end), q.tz, frozenset(q.severities)


class SmtpSettings(_Strict):
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    username: str | None = None
    password_env: str | None = None
    sender: str
    recipients: list[str] = Field(min_length=1)
    timeout_s: float = Field(default=10.0, gt=0)


class ChannelConfig(_Strict):
    name: str = Field(min_length=1)
    kind: ChannelKind
    url: str | None = None
    # names of environment variables; the secrets themselves never appear in the file or in logs
    secret_env: str | None = None  # HMAC secret: webhook, DingTalk and Feishu signing
    key_env: str | None = None  # WeCom bot key (appended as ?key=) when the url does not carry it
    smtp: SmtpSettings | None = None
    rate_per_minute: int = Field(default=20, ge=1)
    # Sends of every minute that P2/P3 traffic leaves free, so a P1 or an escalation also finds room
    # under the platform's own limit (urgent messages always jump the queue; this keeps the platform
    # from refusing them when a storm of routine notices has spent its minute).
    urgent_reserve: int = Field(default=0, ge=0)
    timeout_s: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _needs_target(self) -> ChannelConfig:
        if self.urgent_reserve and self.urgent_reserve >= self.rate_per_minute:
            raise ValueError(
                f"channel {self.name!r}: urgent_reserve ({self.urgent_reserve}) must be below"
                f" rate_per_minute ({self.rate_per_minute}), or routine notices could never go out"
            )
        if self.kind == "email":
            if self.smtp is None:
                raise ValueError(f"channel {self.name!r}: kind 'email' needs an [channels.smtp] table")
        elif not self.url:
            raise ValueError(f"channel {self.name!r}: kind {self.kind!r} needs a url")
        elif not self.url.startswith(("http://", "https://")):
            raise ValueError(f"channel {self.name!r}: url must start with http:// or https://")
        return self


class RouteConfig(_Strict):
    brands: list[str] = Field(default_factory=lambda: ["*"])
    severities: list[Severity] = Field(default_factory=lambda: list(SEVERITIES))
    channels: list[str] = Field(min_length=1)
    escalate_to: list[str] = Field(default_factory=list)

    def matches(self, brand: str, severity: str) -> bool:
        return ("*" in self.brands or brand in self.brands) and severity in self.severities


def check_alert_references(channels: list[ChannelConfig], routes: list[RouteConfig]) -> None:
    """Raise ValueError naming the route/channel when a route names an unknown or duplicate channel.

    Meant to be called from ``Config``'s model validator so the error names the key at load time.
    """
    names = [c.name for c in channels]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"channels: duplicate name(s) {', '.join(duplicates)}")
    known = set(names)
    for index, route in enumerate(routes):
        for key in ("channels", "escalate_to"):
            for name in getattr(route, key):
                if name not in known:
                    raise ValueError(f"routes[{index}].{key}: unknown channel {name!r}")
