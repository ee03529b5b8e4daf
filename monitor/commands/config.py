"""``brandguard config check [FILE]``: validate brandguard.toml and name the bad key."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor.context import Context
from monitor.errors import ConfigError


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("config", parents=parents, help="validate the configuration")
    sub = p.add_subparsers(dest="config_command", metavar="SUBCOMMAND", parser_class=type(p))
    sub.required = True
    check = sub.add_parser(
        "check",
        parents=parents,
        help="validate brandguard.toml; print a summary or the one bad key",
        description="Exit 0 and print 'OK: N brands, M sources, K channels', or one error line and exit 2.",
    )
    check.add_argument(
        "file", nargs="?", metavar="FILE", help="file to check (default: --config or ./brandguard.toml)"
    )
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.context import load_checked_config
    from monitor.matching.query_language import query_warnings

    path = Path(args.file) if args.file else ctx.config_path
    if path is None:
        raise ConfigError("no brandguard.toml here; pass --config FILE or run `brandguard init`")
    config = load_checked_config(path)
    for i, brand in enumerate(config.brands):
        for warning in query_warnings(brand.query):
            print(f"brandguard: warning: {path}: brands[{i}].query: {warning}", file=sys.stderr)
    from datetime import UTC, datetime

    from monitor.incidents.calendar_status import calendar_warning

    calendar = calendar_warning(config, datetime.now(UTC))
    if calendar:
        print(f"brandguard: warning: {path}: alerts.holiday_years: {calendar}", file=sys.stderr)
    from monitor.config.security import security_warnings

    for warning in security_warnings(config):
        print(f"brandguard: warning: {path}: {warning}", file=sys.stderr)
    print(f"OK: {len(config.brands)} brands, {len(config.sources)} sources, {len(config.channels)} channels")
    return 0
