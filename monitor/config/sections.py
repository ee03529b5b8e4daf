"""brandguard.toml: the top-level ``Config`` and its small sections (storage, daemon, brands, audit).

Every model forbids unknown keys so that a misspelt key is named instead of silently ignored. Errors
become one ``ConfigError`` line: ``<file>: <dotted.key[i].path>: <what is wrong> (got <value>)``
(``monitor.config.loading``). Sources live in ``monitor.config.sources``, alerting in
``monitor.config.alerting``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from monitor.config.alerting import AlertsSection, ChannelConfig, RouteConfig, check_alert_references
from monitor.config.briefings import BriefingSchedule, check_briefing_references
from monitor.config.fields import DEFAULT_TIMEZONE, ConfigKeyError, StrictModel, check_timezone
from monitor.config.platforms import OperatorConfig, PlatformConfig, platform_source_dicts
from monitor.config.sources import SourceConfig
from monitor.errors import ConfigError


class StorageConfig(StrictModel):
    # Empty: SQLite in --data-dir. BRANDGUARD_DATABASE_URL overrides both (monitor.context).
    url: str = ""

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value


class DaemonConfig(StrictModel):
    poll_tick_s: int = Field(default=15, ge=1)
    deadline_tick_s: int = Field(default=30, ge=1)
    max_concurrency: int = Field(default=20, ge=1)
    per_host_concurrency: int = Field(default=2, ge=1)
    fetch_deadline_s: float = Field(default=30, gt=0)
    max_body_mb: float = Field(default=10, gt=0)
    # Loopback/private targets are refused by the fetch guard unless allowed here (demo, intranet feeds).
    allow_hosts: tuple[str, ...] = ()
    allow_networks: tuple[str, ...] = ()
    timezone: str = DEFAULT_TIMEZONE

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"not an IP network: {item!r} (e.g. '10.0.0.0/8')") from None
        return value


class BrandConfig(StrictModel):
    """A brand and its query. The query's syntax belongs to the matching wing, which checks it when the
    composition root loads the file (``monitor.matching.check_brand_queries``)."""

    name: str = Field(min_length=1)
    query: str = Field(min_length=1)
    # Terms that veto a match wherever they occur (e.g. the housing estate 星河湾小区).
    exclude: tuple[str, ...] = ()
    # "competitor": monitored for share of voice in briefings, never the subject of a brief's alerts.
    role: Literal["own", "competitor"] = "own"

    @field_validator("exclude")
    @classmethod
    def _no_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not item.strip() for item in value):
            raise ValueError("exclusion terms must not be empty")
        return value


class AuditConfig(StrictModel):
    retention_compliance_days: int = Field(default=1095, ge=1)
    retention_other_days: int = Field(default=183, ge=1)
    # Signed checkpoints are also appended here, outside the data directory (monitor.audit.anchor).
    anchor_file: str = ""
    # A channel name from [[channels]] that receives every signed checkpoint (auditors' mail or bot).
    anchor_channel: str = ""
    # The daemon signs the head within this; an older unsigned entry fails `audit verify` with a key.
    checkpoint_interval_minutes: int = Field(default=60, ge=10)


class Config(StrictModel):
    storage: StorageConfig = Field(default_factory=StorageConfig)
    daemon: DaemonConfig = Field(default_factory=DaemonConfig)
    brands: tuple[BrandConfig, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    audit: AuditConfig = Field(default_factory=AuditConfig)
    alerts: AlertsSection = Field(default_factory=AlertsSection)
    channels: list[ChannelConfig] = Field(default_factory=list)
    routes: list[RouteConfig] = Field(default_factory=list)
    reports: tuple[BriefingSchedule, ...] = ()
    platforms: tuple[PlatformConfig, ...] = ()
    operator: OperatorConfig = Field(default_factory=OperatorConfig)

    @model_validator(mode="before")
    @classmethod
    def _expand_platforms(cls, data: object) -> object:
        # [[platforms]] become ordinary [[sources]] (one per brand search) before anything is validated.
        if isinstance(data, dict) and data.get("platforms"):
            generated = platform_source_dicts(list(data["platforms"]), list(data.get("brands") or ()))
            data = {**data, "sources": [*list(data.get("sources") or ()), *generated]}
        return data

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Config:
        # Raised as ConfigKeyError (not ValueError) so the key path survives pydantic untouched.
        seen: dict[str, int] = {}
        for i, brand in enumerate(self.brands):
            if brand.name in seen:
                raise ConfigKeyError(
                    f"brands[{i}].name",
                    f"duplicate brand name {brand.name!r} (also brands[{seen[brand.name]}])",
                )
            seen[brand.name] = i
        environ: Mapping[str, str] = (info.context or {}).get("environ", os.environ)
        # Read-only commands (`sources list`, `alerts list` ...) send and fetch nothing: no secrets needed.
        secrets = (info.context or {}).get("require_secrets", True)
        seen_sources: dict[str, int] = {}
        for i, source in enumerate(self.sources):
            if source.name in seen_sources:
                raise ConfigKeyError(
                    f"sources[{i}].name",
                    f"duplicate source name {source.name!r} (also sources[{seen_sources[source.name]}])",
                )
            seen_sources[source.name] = i
            missing = source.missing_env(environ) if secrets else None
            if missing:
                raise ConfigKeyError(
                    f"sources[{i}].{missing[0]}", f"environment variable {missing[1]} is not set"
                )
            for j, brand_name in enumerate(source.brands or ()):
                if brand_name not in seen:
                    raise ConfigKeyError(
                        f"sources[{i}].brands[{j}]", f"brand {brand_name!r} is not defined in [[brands]]"
                    )
        for i, channel in enumerate(self.channels if secrets else ()):
            for key in ("secret_env", "key_env"):
                var = getattr(channel, key)
                if var and var not in environ:
                    raise ConfigKeyError(f"channels[{i}].{key}", f"environment variable {var} is not set")
            password = channel.smtp.password_env if channel.smtp else None
            if password and password not in environ:
                raise ConfigKeyError(
                    f"channels[{i}].smtp.password_env", f"environment variable {password} is not set"
                )
        for name in self.alerts.brand_thresholds:
            if name not in seen:
                raise ConfigKeyError(f"alerts.brand_thresholds.{name}", "brand is not defined in [[brands]]")
        for i, route in enumerate(self.routes):
            for j, name in enumerate(route.brands):
                if name != "*" and name not in seen:
                    raise ConfigKeyError(
                        f"routes[{i}].brands[{j}]", f"brand {name!r} is not defined in [[brands]]"
                    )
        for j, name in enumerate(self.operator.channels):
            if name not in {c.name for c in self.channels}:
                raise ConfigKeyError(f"operator.channels[{j}]", f"unknown channel {name!r}")
        anchor_channel = self.audit.anchor_channel
        if anchor_channel and anchor_channel not in {c.name for c in self.channels}:
            raise ConfigKeyError("audit.anchor_channel", f"channel {anchor_channel!r} is not in [[channels]]")
        try:
            check_alert_references(self.channels, self.routes)
        except ValueError as exc:
            key, _, detail = str(exc).partition(": ")
            raise ConfigKeyError(key, detail) from None
        check_briefing_references(self.reports, list(seen), [c.name for c in self.channels])
        return self

    def brand(self, name: str) -> BrandConfig:
        for brand in self.brands:
            if brand.name == name:
                return brand
        raise ConfigError(f"unknown brand {name!r}")

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise ConfigError(f"unknown source {name!r}")

    def brands_for(self, source: SourceConfig) -> tuple[BrandConfig, ...]:
        """The brands a source's items are matched against (all brands when the source names none)."""
        if source.brands is None:
            return self.brands
        wanted = set(source.brands)
        return tuple(b for b in self.brands if b.name in wanted)
