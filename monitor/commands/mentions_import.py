"""``brandguard mentions import FILE.jsonl``: mentions a vendor or the team's own crawler collected.

One JSON object per line (fields in docs/platforms.md). Each bad line is reported as one line on stderr
with its line number; every good line is still stored. Exit 2 if any line was bad, else 0. Importing the
same file again stores nothing twice (idempotent per platform + id).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from monitor.context import Context
from monitor.errors import InputError


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser(
        "import",
        parents=parents,
        help="store mentions from a JSONL file (vendor / own crawler); idempotent per platform + id",
        description="Store mentions from a JSONL file, one object per line with platform, id, text, "
        "published_at and optionally title, url, author, followers, reposts, comments, likes, brand. "
        "Bad lines are reported with their line number; the others are stored. Exit 2 if any line was bad.",
    )
    imp.add_argument("file", metavar="FILE.jsonl", help="the JSONL file, or - for stdin")
    imp.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    imp.add_argument(
        "--alert-now",
        action="store_true",
        help="run the alert policy right after storing (default: the daemon's next poll tick does)",
    )
    imp.set_defaults(handler=_import)


def _import(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.crawl.ingest import Ingestor, RowError, jsonl_objects
    from monitor.crawl.steps import make_scorer

    if args.file == "-":
        stream = sys.stdin
        name = "-"
    else:
        path = Path(args.file)
        try:
            stream = path.open(encoding="utf-8", newline="")
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        name = str(path)
    now = datetime.now(UTC)
    ingestor = Ingestor(ctx.engine, ctx.config, make_scorer(), actor="cli:mentions import")
    decode_errors: list[RowError] = []
    try:
        report = ingestor.ingest_objects(jsonl_objects(stream, decode_errors), now)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    finally:
        if stream is not sys.stdin:
            stream.close()
    report.errors = sorted(decode_errors + report.errors, key=lambda e: e.row)
    report.received += len(decode_errors)
    alerts = 0
    if report.stored and args.alert_now:
        from monitor.incidents import process_pending_mentions

        alerts = int(process_pending_mentions(ctx.engine, ctx.config, now))
    for error in report.errors:
        print(f"{name}:{error.row}: {error.message}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps({**report.as_json(), "alert_policy": alerts}, ensure_ascii=False))
    else:
        print(
            f"{name}: {report.received} row(s): {report.stored} stored, {report.duplicates} already stored, "
            f"{report.unmatched} matched no brand, {len(report.errors)} rejected"
        )
    return 2 if report.errors else 0
