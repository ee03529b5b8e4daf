"""``brandguard init [--force]``: write the commented example brandguard.toml."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from monitor.context import DEFAULT_CONFIG_NAME, Context
from monitor.errors import InputError, UsageError


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "init",
        parents=parents,
        help="write a commented example brandguard.toml (or the --config path)",
        description="Write a commented example configuration. Refuses to overwrite without --force.",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(handler=_run)


def example_config_text() -> str:
    """The example shipped as package data (monitor/example_config.toml)."""
    return resources.files("monitor").joinpath("config", "example_config.toml").read_text(encoding="utf-8")


def _run(args: argparse.Namespace, ctx: Context) -> int:
    target = ctx.config_path or Path(DEFAULT_CONFIG_NAME)
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists; use --force to overwrite it")
    try:
        target.write_text(example_config_text(), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    print(f"wrote {target}; edit it, then run: brandguard config check")
    return 0
