"""The compliance-log side of ``brandguard check``: one ``check`` entry per input, where an installation
exists (DESIGN.md)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.context import Context
    from rules.report import CheckResult


def record_audit(ctx: Context, results: list[CheckResult], *, mode: str) -> None:
    """One audit entry per checked input (DESIGN.md), written after the output is printed.

    A copywriter's pre-commit hook in a copy repository has no BrandGuard database, and creating one
    there would be wrong; so by default a check is recorded only where an installation exists (a
    database URL, or the data directory). ``--audit always`` makes a failure to record an error.
    """
    if mode == "never" or not results:
        return
    if mode == "auto" and not installation_present(ctx):
        return
    from datetime import UTC, datetime

    from monitor.audit import record_check
    from monitor.errors import BrandGuardError

    try:
        engine = ctx.engine
        for r in results:
            record_check(
                engine,
                actor=ctx.actor,
                path=r.path,
                text_sha256=r.report.text_sha256,
                rule_versions=r.report.rule_versions,
                findings=[f.to_dict() for f in r.report.findings],
                now=datetime.now(UTC),
            )
    except BrandGuardError as exc:
        if mode == "always":
            raise
        print(f"brandguard: warning: check not recorded in the compliance log: {exc}", file=sys.stderr)


def installation_present(ctx: Context) -> bool:
    import os

    from monitor.context import DATABASE_URL_ENV

    if os.environ.get(DATABASE_URL_ENV):
        return True
    if ctx.config_path is not None and ctx.config.storage.url:
        return True
    return ctx.data_dir.is_dir()
