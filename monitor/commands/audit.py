"""``brandguard audit``: verify, browse, export, checkpoint and purge the tamper-evident compliance log.

Times given on the command line without an offset are local to ``daemon.timezone`` (default
Asia/Shanghai); a date alone means midnight at the start of that day for ``--since/--from/--before`` and
the end of that day for ``--until/--to`` (so ``--from 2026-11-01 --to 2026-11-30`` is all of November).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from monitor.commands.argtypes import positive_int
from monitor.context import Context
from monitor.errors import UsageError

if TYPE_CHECKING:
    from monitor.audit.verify import VerifyReport

DEFAULT_TZ = "Asia/Shanghai"
EXIT_FAILED = 1


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "audit",
        parents=parents,
        help="verify, browse and export the tamper-evident compliance log",
        description="Verify, browse, export, checkpoint and purge the tamper-evident compliance log. "
        "Times without an offset are local to daemon.timezone (default Asia/Shanghai); a date alone is "
        "the start of that day for --since/--from/--before and the end of it for --until/--to.",
    )
    sub = p.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", parser_class=type(p))
    sub.required = True

    verify = sub.add_parser(
        "verify", parents=parents, help="check the hash chain and signed checkpoints (exit 1 if broken)"
    )
    verify.add_argument("--export", metavar="FILE", help="verify an export file offline (no database)")
    verify.add_argument(
        "--strict",
        action="store_true",
        help="also fail (exit 1) on warnings: no key, no anchor file, unsigned manifest",
    )
    verify.add_argument(
        "--anchor",
        metavar="FILE",
        action="append",
        default=[],
        help="also compare with this anchor file (a copy, e.g. from the auditors' mailbox); repeatable",
    )
    verify.set_defaults(handler=_verify)

    log = sub.add_parser("log", parents=parents, help="list entries, oldest first")
    log.add_argument("--since", metavar="WHEN", help="entries at or after (date or date-time)")
    log.add_argument("--until", metavar="WHEN", help="entries before (date = through that day)")
    log.add_argument("--actor", help="only this actor")
    log.add_argument("--kind", help="only this kind; 'incident' or 'incident.*' matches incident.ack etc.")
    log.add_argument("--limit", type=positive_int, default=1000, help="at most this many (default 1000)")
    log.add_argument("--format", choices=("text", "jsonl"), default="text", help="output format")
    log.set_defaults(handler=_log)

    export = sub.add_parser("export", parents=parents, help="write entries plus a signed manifest")
    export.add_argument("--from", dest="since", metavar="WHEN", help="first day/time (default: the start)")
    export.add_argument("--to", dest="until", metavar="WHEN", help="last day/time (default: now)")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="file format")
    export.add_argument("--out", metavar="FILE", required=True, help="output file; FILE.manifest.json too")
    export.set_defaults(handler=_export)

    checkpoint = sub.add_parser("checkpoint", parents=parents, help="sign the current head now")
    checkpoint.set_defaults(handler=_checkpoint)

    purge = sub.add_parser(
        "purge", parents=parents, help="delete the oldest entries past retention (dry run without --yes)"
    )
    purge.add_argument("--before", metavar="DATE", required=True, help="purge only entries older than this")
    purge.add_argument("--yes", action="store_true", help="really delete (otherwise only report)")
    purge.set_defaults(handler=_purge)


def display_tz(ctx: Context) -> ZoneInfo:
    try:
        return ZoneInfo(ctx.config.daemon.timezone)
    except (AttributeError, ModuleNotFoundError):
        return ZoneInfo(DEFAULT_TZ)


def parse_when(value: str | None, *, option: str, tz: ZoneInfo, end_of_day: bool = False) -> datetime | None:
    """UTC time from ``YYYY-MM-DD`` or an ISO date-time (local to ``tz`` unless it has an offset)."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end_of_day else 0)
            return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+08:00] (got {value!r})"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _print_report(report: VerifyReport, *, strict: bool) -> int:
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())
    for note in getattr(report, "notes", ()):
        print(f"note: {note}")
    if not report.ok:
        return EXIT_FAILED
    if strict and report.warnings:
        print(f"FAIL (--strict): {len(report.warnings)} warning(s)")
        return EXIT_FAILED
    return 0


def _verify(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.audit.keyring import load_keyring

    ring = load_keyring()
    if args.export:
        from monitor.audit.export import verify_export

        key = ring.current if ring is not None else None
        return _print_report(verify_export(Path(args.export), key), strict=args.strict)
    from monitor.audit.verify import verify_database

    files = [Path(p) for p in args.anchor]
    configured = _anchor_file(ctx)
    if configured is not None and configured not in files:
        files.insert(0, configured)
    report = verify_database(
        ctx.engine, ring, anchor_files=files, now=datetime.now(UTC), interval=_checkpoint_interval(ctx)
    )
    return _print_report(report, strict=args.strict)


def _anchor_file(ctx: Context) -> Path | None:
    section = getattr(ctx.config, "audit", None)
    value = getattr(section, "anchor_file", "")
    return Path(value).expanduser() if value else None


def _checkpoint_interval(ctx: Context) -> timedelta:
    section = getattr(ctx.config, "audit", None)
    return timedelta(minutes=getattr(section, "checkpoint_interval_minutes", 60))


def _log(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.audit.query import list_entries

    tz = display_tz(ctx)
    entries = list_entries(
        ctx.engine,
        since=parse_when(args.since, option="--since", tz=tz),
        until=parse_when(args.until, option="--until", tz=tz, end_of_day=True),
        actor=args.actor,
        kind=args.kind,
        limit=args.limit,
    )
    out = sys.stdout
    for entry in entries:
        if args.format == "jsonl":
            out.write(json.dumps(entry.to_record(), ensure_ascii=False, sort_keys=True) + "\n")
        else:
            local = entry.ts.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
            out.write(
                f"{entry.seq:>7}  {local}  {entry.actor:<12}  {entry.kind:<16}  {entry.subject}"
                f"  {_brief(entry.data)}\n"
            )
    if args.format == "text" and not entries:
        print("no audit entries match", file=sys.stderr)
    return 0


def _brief(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= 120 else text[:117] + "..."


def _export(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.audit.export import export_log, manifest_path
    from monitor.audit.signing import load_key

    tz = display_tz(ctx)
    key = load_key()
    out = Path(args.out)
    manifest = export_log(
        ctx.engine,
        out,
        fmt=args.format,
        since=parse_when(args.since, option="--from", tz=tz),
        until=parse_when(args.until, option="--to", tz=tz, end_of_day=True),
        key=key,
        actor=ctx.actor,
        now=datetime.now(UTC),
    )
    if key is None:
        print("warning: BRANDGUARD_AUDIT_KEY is not set: the manifest is not signed", file=sys.stderr)
    print(
        f"exported {manifest['count']:,} entries (seq {manifest['first_seq']}..{manifest['last_seq']}) "
        f"to {out} and {manifest_path(out)}"
    )
    return 0


def _require_key() -> Any:
    from monitor.audit.errors import AuditKeyMissing
    from monitor.audit.signing import KEY_ENV, load_key

    key = load_key()
    if key is None:
        raise AuditKeyMissing(f"{KEY_ENV} is not set: checkpoints cannot be signed without it")
    return key


def _checkpoint(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.audit.store import checkpoint_head

    key = _require_key()
    with ctx.engine.begin() as conn:
        checkpoint = checkpoint_head(conn, key, now=datetime.now(UTC))
    if checkpoint is None:
        print("the audit log is empty: nothing to sign")
    else:
        print(f"checkpoint #{checkpoint.id} signed seq {checkpoint.seq} with key {checkpoint.key_id}")
    from monitor.audit.anchor import sync_anchors
    from monitor.audit.keyring import load_keyring

    ring = load_keyring()
    anchor_file = _anchor_file(ctx)
    channel = getattr(getattr(ctx.config, "audit", None), "anchor_channel", "") or None
    if ring is not None and (anchor_file is not None or channel):
        now = datetime.now(UTC)
        anchored = sync_anchors(ctx.engine, ring, anchor_file=anchor_file, channel=channel, now=now)
        where = " and ".join(x for x in (str(anchor_file) if anchor_file else "", channel or "") if x)
        print(f"anchored {len(anchored)} checkpoint(s) to {where}")
    return 0


def _purge(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.audit.purge import purge

    tz = display_tz(ctx)
    before = parse_when(args.before, option="--before", tz=tz)
    # a dry run only reads; the key is needed to sign the purge checkpoint of a real purge
    key = _require_key() if args.yes else None
    assert before is not None
    policy = _retention(ctx)
    result = purge(
        ctx.engine,
        before=before,
        now=datetime.now(UTC),
        policy=policy,
        key=key,
        actor=ctx.actor,
        dry_run=not args.yes,
    )
    cut = result.cut
    verb = "would purge" if result.dry_run else "purged"
    if cut.count:
        print(f"{verb} {cut.count:,} entries (seq {result.base_seq + 1}..{cut.seq})")
    else:
        print("nothing to purge")
    if cut.blocked_by is not None:
        seq, kind, keep_until = cut.blocked_by
        print(
            f"stopped at seq {seq} ({kind}): retained until "
            f"{keep_until.astimezone(tz):%Y-%m-%d} (a chain can only lose its oldest entries)"
        )
    if result.dry_run and cut.count:
        print("run again with --yes to delete them; a signed purge checkpoint keeps the rest verifiable")
    return 0


def _retention(ctx: Context) -> Any:
    from monitor.audit.retention import RetentionPolicy

    section = getattr(ctx.config, "audit", None)
    if section is None:
        return RetentionPolicy()
    return RetentionPolicy(
        compliance_days=section.retention_compliance_days, other_days=section.retention_other_days
    )
