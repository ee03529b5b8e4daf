"""``brandguard users add|list|disable|token``: console users and API tokens."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime

from monitor.context import Context
from monitor.errors import UsageError

ROLES = ("pr", "copywriter", "auditor", "admin")
PASSWORD_ENV = "BRANDGUARD_PASSWORD"


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("users", parents=parents, help="manage console users and API tokens")
    sub = p.add_subparsers(dest="users_command", metavar="SUBCOMMAND", parser_class=type(p))
    sub.required = True
    add = sub.add_parser(
        "add",
        parents=parents,
        help="add a user",
        description=f"Add a user. The password is read from {PASSWORD_ENV} if set, else asked twice on "
        "the terminal, else read as one line from stdin.",
    )
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.set_defaults(handler=_add)
    lst = sub.add_parser("list", parents=parents, help="list users")
    lst.set_defaults(handler=_list, read_only=True)
    dis = sub.add_parser("disable", parents=parents, help="disable a user and revoke their tokens")
    dis.add_argument("name")
    dis.set_defaults(handler=_disable)
    tok = sub.add_parser(
        "token",
        parents=parents,
        help="create an API token (printed once; only its SHA-256 is stored)",
    )
    tok.add_argument("name")
    tok.add_argument("--role", choices=ROLES, help="role of the token (default: the user's role)")
    tok.add_argument("--label", help="what the token is for, e.g. crawler-01")
    tok.set_defaults(handler=_token)


def _password() -> str:
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise UsageError("the two passwords differ")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise UsageError(f"no password: set {PASSWORD_ENV} or pipe it on stdin")
    return line


def _add(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.web.accounts import add_user

    user = add_user(ctx.engine, args.name, args.role, _password(), actor=ctx.actor, now=datetime.now(UTC))
    print(f"added {user.name} ({user.role})")
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.web.accounts import list_users

    for user in list_users(ctx.engine):
        state = "disabled" if user.disabled else "active"
        print(f"{user.name}\t{user.role}\t{state}\t{user.created_at.isoformat(timespec='seconds')}")
    return 0


def _disable(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.web.accounts import disable_user

    user = disable_user(ctx.engine, args.name, actor=ctx.actor, now=datetime.now(UTC))
    print(f"disabled {user.name}; their API tokens are revoked and their console sessions ended")
    return 0


def _token(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.web.accounts import create_token

    token = create_token(
        ctx.engine, args.name, role=args.role, label=args.label, actor=ctx.actor, now=datetime.now(UTC)
    )
    print(token)
    return 0
