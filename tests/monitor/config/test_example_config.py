"""The example written by `brandguard init` documents every key and stays valid, commented parts too."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from monitor.commands.init import example_config_text
from monitor.config import Config, load_config

# A commented-out line that is TOML (a key or a table header), e.g. "# key_env = ..." or "# [[channels]]".
_COMMENTED_TOML = re.compile(r"^# (?=\[\[?[a-z]|[a-z_]+ = )", re.MULTILINE)


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        annotation = info.annotation
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            for inner in (candidate, *getattr(candidate, "__args__", ())):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    names |= _field_names(inner, seen)
    return names


def test_every_config_key_appears_in_the_example() -> None:
    text = example_config_text()
    missing = sorted(
        name
        for name in _field_names(Config)
        if not re.search(rf"(^|[\s{{,])(#\s*)?{name} = |^\[\[?{name}\]", text, re.M)
    )
    assert missing == []


def test_commented_out_parts_are_valid_when_uncommented(tmp_path: Path) -> None:
    text = _COMMENTED_TOML.sub("", example_config_text())
    assert "key_env = " in text and '[[channels]]\nname = "pr-email"' in text
    env_vars = set(re.findall(r'_env = "([A-Z_]+)"', text)) | set(re.findall(r'= "([A-Z_]+)" }', text))
    path = tmp_path / "brandguard.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path, environ={name: "x" for name in env_vars})
    assert [c.kind for c in config.channels] == ["webhook", "wecom", "email"]
    assert config.alerts.quiet_hours is not None
    assert config.sources[2].headers_env == {"Authorization": "FORUM_API_TOKEN"}


def test_example_without_environment_needs_no_secrets(tmp_path: Path) -> None:
    path = tmp_path / "brandguard.toml"
    path.write_text(example_config_text(), encoding="utf-8")
    assert len(load_config(path, environ={}).brands) == 2


def test_example_prose_lines_fit_a_terminal() -> None:
    # Long inline tables are TOML's only way to write them on one line; prose stays readable.
    long_lines = [
        line
        for line in example_config_text().splitlines()
        if len(line) > 130 and " = {" not in line and "= [" not in line
    ]
    assert long_lines == []
