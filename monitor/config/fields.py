"""Shared pieces of the config models: the strict base model, key errors, durations, time zones."""

from __future__ import annotations

import re
import zoneinfo

from pydantic import BaseModel, ConfigDict

from monitor.errors import ConfigError

DEFAULT_TIMEZONE = "Asia/Shanghai"
MIN_INTERVAL_S = 60
SOURCE_KINDS = ("rss", "atom", "html", "json")
# Keys whose values may carry credentials (a database URL with a password, a pasted token): their
# values are never echoed in errors. Matched as substrings of the key's last part.
SECRET_HINTS = ("url", "secret", "password", "token", "key", "cookie", "auth")


class ConfigKeyError(ConfigError):
    """A cross-field problem found after the field types were validated; carries the key path."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(f"{key}: {detail}")
        self.key = key
        self.detail = detail


class StrictModel(BaseModel):
    """Every config model forbids unknown keys (a misspelt key is named) and is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as 'Asia/Shanghai')") from None
    return value


DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_duration(value: int | str) -> int:
    """Seconds from ``900``, ``"900"``, ``"15m"``, ``"1h"``, ``"1d"``."""
    if isinstance(value, bool):
        raise ValueError("must be seconds or a duration such as '15m'")
    if isinstance(value, int):
        return value
    match = DURATION_RE.match(value)
    if not match:
        raise ValueError(f"must be seconds or a duration such as '15m' (got {value!r})")
    return int(match.group(1)) * UNIT_S[match.group(2)]
