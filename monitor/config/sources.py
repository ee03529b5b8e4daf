"""Sources in brandguard.toml: ``[[sources]]`` and the JSON mapping of API sources.

Secrets never live in the file nor in these objects: sources name environment variables
(``headers_env``/``cookies_env``) and the values are read only when a request is built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from monitor.config.fields import (
    DEFAULT_TIMEZONE,
    ENV_NAME,
    HEADER_NAME,
    MIN_INTERVAL_S,
    StrictModel,
    check_timezone,
    parse_duration,
)
from monitor.config.platforms import HtmlSelectors


class JsonMapping(StrictModel):
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
    comments: str | None = None


class SourceConfig(StrictModel):
    name: str = Field(min_length=1)
    kind: Literal["rss", "atom", "html", "json"]
    url: str
    interval: int = 900  # seconds; "15m" / "1h" accepted in the file
    brands: tuple[str, ...] | None = None  # None: every configured brand
    timezone: str = DEFAULT_TIMEZONE  # for feed dates without an offset
    headers_env: dict[str, str] = Field(default_factory=dict)  # header name -> ENV VAR NAME
    cookies_env: dict[str, str] = Field(default_factory=dict)  # cookie name -> ENV VAR NAME
    json_mapping: JsonMapping | None = Field(default=None, alias="json")
    # Platform sources (monitor.platforms): blocked detection per platform, labels in coverage messages.
    platform: str | None = None
    # Audience counted as reach for items that carry no followers (a national news site is not a zero).
    reach_weight: int | None = Field(default=None, ge=0)
    selectors: HtmlSelectors | None = None  # HTML list page: one mention per matched item

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return check_timezone(value)

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
            if info.field_name == "headers_env" and not HEADER_NAME.match(name):
                raise ValueError(f"not a valid header name: {name!r}")
            if not ENV_NAME.match(var):
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
        if self.selectors is not None and self.kind != "html":
            raise ValueError(f'selectors are for kind = "html" list pages (got kind = "{self.kind}")')
        return self

    def request_headers(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """Headers with secrets resolved from the environment; never log the result."""
        env = os.environ if environ is None else environ
        headers = {name: env.get(var, "") for name, var in self.headers_env.items()}
        if self.cookies_env:
            cookie = "; ".join(f"{name}={env.get(var, '')}" for name, var in self.cookies_env.items())
            headers["Cookie"] = cookie
        return headers
