"""brandguard.toml: pydantic models and ``load_config``.

Every model forbids unknown keys so that a misspelt key is named instead of silently ignored. Errors
become one ``ConfigError`` line: ``<file>: <dotted.key[i].path>: <what is wrong> (got <value>)``.
Secrets never live in the file nor in these objects: sources name environment variables
(``headers_env``/``cookies_env``) and the values are read only when a request is built.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.config_alerts import AlertsSection, ChannelConfig, RouteConfig, check_alert_references
from monitor.errors import ConfigError

DEFAULT_TIMEZONE = "Asia/Shanghai"
MIN_INTERVAL_S = 60
SOURCE_KINDS = ("rss", "atom", "html", "json")
# Keys whose values may carry credentials (a database URL with a password, a pasted token): their
# values are never echoed in errors. Matched as substrings of the key's last part.
_SECRET_HINTS = ("url", "secret", "password", "token", "key", "cookie", "auth")


class ConfigKeyError(ConfigError):
    """A cross-field problem found after the field types were validated; carries the key path."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(f"{key}: {detail}")
        self.key = key
        self.detail = detail


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as 'Asia/Shanghai')") from None
    return value


class StorageConfig(_Model):
    # Empty: SQLite in --data-dir. BRANDGUARD_DATABASE_URL overrides both (monitor.context).
    url: str = ""

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value


class DaemonConfig(_Model):
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
        return _check_timezone(value)

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"not an IP network: {item!r} (e.g. '10.0.0.0/8')") from None
        return value


class BrandConfig(_Model):
    name: str = Field(min_length=1)
    query: str = Field(min_length=1)
    # Terms that veto a match wherever they occur (e.g. the housing estate 星河湾小区).
    exclude: tuple[str, ...] = ()

    @field_validator("query")
    @classmethod
    def _parses(cls, value: str) -> str:
        from monitor.query import QueryError, compile_query

        try:
            compile_query(value)
        except QueryError as exc:
            raise ValueError(exc.reason_with_position) from None
        return value

    @field_validator("exclude")
    @classmethod
    def _no_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not item.strip() for item in value):
            raise ValueError("exclusion terms must not be empty")
        return value


class JsonMapping(_Model):
    """Dotted paths into a JSON API response: ``items`` finds the list, the rest are per item."""

    items: str = ""  # "" -> the document itself is the list
    guid: str | None = None
    title: str | None = "title"
    text: str | None = "content"
    link: str | None = "url"
    published: str | None = None
    author: str | None = None
    followers: str | None = None
    likes: str | None = None
    reposts: str | None = None


_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_duration(value: int | str) -> int:
    """Seconds from ``900``, ``"900"``, ``"15m"``, ``"1h"``, ``"1d"``."""
    if isinstance(value, bool):
        raise ValueError("must be seconds or a duration such as '15m'")
    if isinstance(value, int):
        return value
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"must be seconds or a duration such as '15m' (got {value!r})")
    return int(match.group(1)) * _UNIT_S[match.group(2)]


class SourceConfig(_Model):
    name: str = Field(min_length=1)
    kind: Literal["rss", "atom", "html", "json"]
    url: str
    interval: int = 900  # seconds; "15m" / "1h" accepted in the file
    brands: tuple[str, ...] | None = None  # None: every configured brand
    timezone: str = DEFAULT_TIMEZONE  # for feed dates without an offset
    headers_env: dict[str, str] = Field(default_factory=dict)  # header name -> ENV VAR NAME
    cookies_env: dict[str, str] = Field(default_factory=dict)  # cookie name -> ENV VAR NAME
    json_mapping: JsonMapping | None = Field(default=None, alias="json")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_timezone(value)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http:// or https:// URL (got {value!r})")
        return value

    @field_validator("interval", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> int:
        if not isinstance(value, int | str):
            raise ValueError("must be seconds or a duration such as '15m'")
        seconds = parse_duration(value)
        if seconds < MIN_INTERVAL_S:
            raise ValueError(f"must be >= {MIN_INTERVAL_S} (got {value!r})")
        return seconds

    @field_validator("headers_env", "cookies_env")
    @classmethod
    def _env_names(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        for name, var in value.items():
            if info.field_name == "headers_env" and not _HEADER_NAME.match(name):
                raise ValueError(f"not a valid header name: {name!r}")
            if not _ENV_NAME.match(var):
                # The value may be the secret itself, pasted by mistake: never echo it.
                raise ValueError(f"{name}: must name an environment variable (API_TOKEN), not hold a value")
        return value

    def missing_env(self, environ: Mapping[str, str]) -> tuple[str, str] | None:
        """The first (dotted key, variable) whose environment variable is not set, if any."""
        for section in ("headers_env", "cookies_env"):
            for name, var in getattr(self, section).items():
                if var not in environ:
                    return f"{section}.{name}", var
        return None

    @model_validator(mode="after")
    def _json_needs_mapping(self) -> SourceConfig:
        if self.kind == "json" and self.json_mapping is None:
            raise ValueError('kind = "json" needs a [sources.json] mapping (at least items, title, link)')
        if self.kind != "json" and self.json_mapping is not None:
            raise ValueError(f'json mapping given but kind = "{self.kind}"')
        return self

    def request_headers(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """Headers with secrets resolved from the environment; never log the result."""
        env = os.environ if environ is None else environ
        headers = {name: env.get(var, "") for name, var in self.headers_env.items()}
        if self.cookies_env:
            cookie = "; ".join(f"{name}={env.get(var, '')}" for name, var in self.cookies_env.items())
            headers["Cookie"] = cookie
        return headers


class AuditConfig(_Model):
    retention_compliance_days: int = Field(default=1095, ge=1)
    retention_other_days: int = Field(default=183, ge=1)


class Config(_Model):
    storage: StorageConfig = Field(default_factory=StorageConfig)
    daemon: DaemonConfig = Field(default_factory=DaemonConfig)
    brands: tuple[BrandConfig, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    audit: AuditConfig = Field(default_factory=AuditConfig)
    alerts: AlertsSection = Field(default_factory=AlertsSection)
    channels: list[ChannelConfig] = Field(default_factory=list)
    routes: list[RouteConfig] = Field(default_factory=list)

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
        seen_sources: dict[str, int] = {}
        for i, source in enumerate(self.sources):
            if source.name in seen_sources:
                raise ConfigKeyError(
                    f"sources[{i}].name",
                    f"duplicate source name {source.name!r} (also sources[{seen_sources[source.name]}])",
                )
            seen_sources[source.name] = i
            missing = source.missing_env(environ)
            if missing:
                raise ConfigKeyError(
                    f"sources[{i}].{missing[0]}", f"environment variable {missing[1]} is not set"
                )
            for j, brand_name in enumerate(source.brands or ()):
                if brand_name not in seen:
                    raise ConfigKeyError(
                        f"sources[{i}].brands[{j}]", f"brand {brand_name!r} is not defined in [[brands]]"
                    )
        for i, channel in enumerate(self.channels):
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
        try:
            check_alert_references(self.channels, self.routes)
        except ValueError as exc:
            key, _, detail = str(exc).partition(": ")
            raise ConfigKeyError(key, detail) from None
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


def load_config(path: Path | None, *, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate brandguard.toml; ``None`` gives the defaults (no brands, no sources, SQLite)."""
    if path is None:
        return Config()
    label = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{label}: no such file (run `brandguard init` to write an example)") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends with "(at line L, column C)".
        raise ConfigError(f"{label}: invalid TOML: {exc}") from None
    return config_from_dict(data, label=label, environ=environ)


def config_from_dict(
    data: Mapping[str, Any], *, label: str = "config", environ: Mapping[str, str] | None = None
) -> Config:
    context = {"environ": os.environ if environ is None else environ}
    try:
        return Config.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError(f"{label}: {format_validation_error(exc)}") from None
    except ConfigKeyError as exc:
        raise ConfigError(f"{label}: {exc}") from None


def format_validation_error(exc: ValidationError) -> str:
    """The first error as ``dotted.key[i]: message (got value)``; one line, no secrets."""
    error = exc.errors(include_url=False)[0]
    loc = list(error["loc"])
    # Pydantic puts the failing variant of a union in the path ("int", "str"); the user wrote neither.
    while loc and isinstance(loc[-1], str) and loc[-1] in ("int", "str", "function-after[_duration()]"):
        loc.pop()
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if loc and loc[-1] == "[key]":  # a bad key inside a table of free-form keys
        loc.pop()
        kind_prefix = "key "
    else:
        kind_prefix = ""
    key = _dotted(loc)
    last = str(loc[-1]).lower() if loc else ""
    if kind == "extra_forbidden":
        message = "unknown key"
        value = None  # a misspelt secret_env = "..." may hold the secret itself
    elif kind in ("tuple_type", "list_type") and isinstance(value, dict):
        message = f"must be an array of tables: write [[{key}]], not [{key}]"
        value = None
    elif kind in ("tuple_type", "list_type"):
        message = 'must be a list, e.g. ["a", "b"]'
    elif kind == "dict_type":
        message = 'must be a table, e.g. { Name = "VALUE" }'
    elif kind == "model_type" or kind == "model_attributes_type":
        message = "must be a table"
    elif kind == "missing":
        message = "required key is missing"
    elif kind in ("greater_than_equal", "greater_than"):
        op = ">=" if kind == "greater_than_equal" else ">"
        bound = ctx.get("ge", ctx.get("gt"))
        message = f"must be {op} {bound}"
    elif kind == "literal_error":
        message = f"must be one of {ctx.get('expected', '')}".replace("'", "")
    elif kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        value = None  # our own messages already quote what matters
    elif kind == "string_too_short":
        message = "must not be empty"
        value = None
    else:
        message = error["msg"][:1].lower() + error["msg"][1:]
    secret = any(hint in last for hint in _SECRET_HINTS)
    if value is not None and not secret and isinstance(value, str | int | float | bool):
        message += f" (got {value!r})"
    message = kind_prefix + message
    return f"{key}: {message}" if key else message


def _dotted(loc: list[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
