"""``brandguard doctor``: look for weakened defences in this installation and say how to fix each.

Checks file modes (the data directory 0700; the database, its WAL/SHM files, keys and anchors 0600: they
hold mention authors and texts, password and token hashes), where the audit anchor file lives (outside
the data directory, or a database writer can rewrite it too), whether the audit key is set, and the
configuration warnings of ``config check``. Exit 0 when nothing was found, 1 with warnings.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from monitor.context import Context

EXIT_WARNINGS = 1


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "doctor",
        parents=parents,
        help="check file modes, audit anchoring and risky settings (exit 1 on warnings)",
        description="Warn about files or directories others can read (database, WAL, keys, anchors, "
        "exports in the data directory), an anchor file inside the data directory, a missing "
        "BRANDGUARD_AUDIT_KEY and risky settings. Exit 0 when nothing was found, 1 otherwise.",
    )
    p.set_defaults(handler=_run)


def findings(ctx: Context, environ: dict[str, str] | os._Environ[str] | None = None) -> list[str]:
    from monitor.audit.signing import KEY_ENV
    from monitor.config.security import security_warnings
    from monitor.storage.files import loose_modes

    env = os.environ if environ is None else environ
    warnings: list[str] = []
    data_dir = ctx.data_dir
    if data_dir.exists():
        paths = [data_dir, *sorted(p for p in data_dir.rglob("*"))]
        warnings += loose_modes(paths)
    config = ctx.config
    anchor = Path(config.audit.anchor_file).expanduser() if config.audit.anchor_file else None
    if anchor is None:
        warnings.append(
            "[audit] anchor_file is not set: signed checkpoints live only in the database, whose writer can "
            "delete them (set it to a path outside the data directory)"
        )
    else:
        if _inside(anchor, data_dir):
            warnings.append(f"[audit] anchor_file {anchor} is inside the data directory {data_dir}: move it")
        warnings += loose_modes([anchor.parent, anchor])
    if not env.get(KEY_ENV):
        warnings.append(f"{KEY_ENV} is not set: nothing is signed, a rewritten log goes unnoticed")
    warnings += security_warnings(config)
    return warnings


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True


def _run(args: argparse.Namespace, ctx: Context) -> int:
    warnings = findings(ctx)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if warnings:
        print(f"{len(warnings)} warning(s)")
        return EXIT_WARNINGS
    print("OK: no problems found")
    return 0
