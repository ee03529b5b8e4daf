"""Read brandguard.toml and turn validation errors into one line that names the key."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.config.fields import SECRET_HINTS, ConfigKeyError
from monitor.config.sections import Config
from monitor.errors import ConfigError


def load_config(
    path: Path | None, *, environ: Mapping[str, str] | None = None, require_secrets: bool = True
) -> Config:
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
    return config_from_dict(data, label=label, environ=environ, require_secrets=require_secrets)


def config_from_dict(
    data: Mapping[str, Any],
    *,
    label: str = "config",
    environ: Mapping[str, str] | None = None,
    require_secrets: bool = True,
) -> Config:
    """``require_secrets=False`` (read-only commands) skips the "environment variable is not set" checks."""
    context = {"environ": os.environ if environ is None else environ, "require_secrets": require_secrets}
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
    secret = any(hint in last for hint in SECRET_HINTS)
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
