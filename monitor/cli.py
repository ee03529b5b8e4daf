"""Command-line entry point: global options, dispatch, and turning known errors into one line + exit 2."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from monitor import __version__
from monitor.commands import COMMAND_MODULES

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message to one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"brandguard: error: {message}\n")


def _global_options(*, suppress: bool) -> argparse.ArgumentParser:
    # The same options are accepted before and after the sub-command. On sub-parsers the default is
    # SUPPRESS so that a value given before the sub-command is not overwritten by the sub-parser default.
    parent = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    parent.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="configuration file (default: ./brandguard.toml if present)",
    )
    parent.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help="directory for the SQLite database and local state (default: ./.brandguard/)",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="brandguard",
        description="BrandGuard: brand-mention monitoring, negative-opinion alerts and ad-law pre-checks.",
        parents=[_global_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"brandguard {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parents = [_global_options(suppress=True)]
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"monitor.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"monitor.commands.{name}":
                continue  # command not built yet
            raise
        module.register(subparsers, parents)
    return parser


def _known_errors() -> tuple[type[BaseException], ...]:
    from alerts.errors import AlertsError
    from models.errors import ModelError
    from monitor.errors import BrandGuardError
    from rules.errors import RulesError

    return (BrandGuardError, RulesError, ModelError, AlertsError)


def main(argv: Sequence[str] | None = None) -> int:
    from monitor.context import Context

    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    ctx = Context.from_options(args.config, args.data_dir)
    # Subcommands that only read (set_defaults(read_only=True)) run without the channel secrets.
    ctx.require_secrets = not getattr(args, "read_only", False)
    try:
        return int(handler(args, ctx))
    except _known_errors() as exc:
        print(f"brandguard: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("brandguard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `brandguard mentions list | head` closes the pipe early; that is not an error.
        sys.stderr.close()
        return 0
    finally:
        ctx.close()
