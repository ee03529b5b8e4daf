"""``brandguard check``: pre-check drafts against the Advertising Law, PIPL and PII rules.

Contract (DESIGN.md): PATH is a file or a directory (recursing into .txt .md .html .htm); ``-`` or no
PATH reads stdin. Exit 0 = nothing at or above ``--fail-on``, 1 = findings at or above it, 2 = usage or
input error (missing file, undecodable bytes, over the size limit). Input errors are reported per file
and the other files are still checked; the exit status is then 2.

Only ``rules`` is imported (lazily, in the handler): no scikit-learn, jieba, SQLAlchemy or httpx.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from monitor.commands.check_audit import record_audit
from monitor.commands.check_output import use_colour, write_json, write_rules, write_sarif
from rules.markup import mask_markup
from rules.report import CheckResult

if TYPE_CHECKING:
    from monitor.context import Context
    from rules.rulepack import Pack
    from rules.waivers import FileWaiver

EXTENSIONS = (".txt", ".md", ".html", ".htm")
HTML_EXTENSIONS = (".html", ".htm")
# Per-file limit: drafts are pages, not corpora; a 10 MB "draft" is almost always a wrong path.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_WAIVER_FILE = ".brandguard-waivers.toml"
STDIN_PATH = "-"
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "check",
        parents=parents,
        help="check drafts against the Advertising Law (广告法) and PIPL (个人信息保护法)",
        description=(
            "Check draft copy for Advertising Law violations (absolute terms, medical, education and "
            "investment promises), PIPL consent problems and exposed personal information. Exit status: "
            "0 clean, 1 findings at or above --fail-on, 2 usage or input error."
        ),
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="file or directory (recurses into .txt .md .html .htm); '-' or nothing reads stdin",
    )
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format")
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="error",
        help="exit 1 when a (non-waived) finding is at or above this severity (default: error)",
    )
    p.add_argument(
        "--waivers",
        metavar="FILE",
        help=f"waiver file (default: ./{DEFAULT_WAIVER_FILE} if present)",
    )
    p.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse files larger than N bytes (default: {DEFAULT_MAX_BYTES}, i.e. 10 MiB)",
    )
    p.add_argument(
        "--pack",
        action="append",
        default=[],
        metavar="FILE",
        help="an extra rule pack (TOML, same format as rules/packs/ad_law.toml); repeatable",
    )
    p.add_argument(
        "--industry",
        default="",
        metavar="NAMES",
        help="switch on industry packs (rules/packs/industry/), comma-separated, e.g. food,cosmetics; "
        "a draft can also name them on a line 'brandguard-industry: food'",
    )
    p.add_argument("--list-rules", action="store_true", help="list the rules and pack versions, then exit")
    # Serial by default: on a busy 2-core machine the worker processes (and sending results back) cost
    # more wall time than they save; measured in BENCHMARKS.md.
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="check files in N worker processes when there are >= 4 MiB of input (default: 1)",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour in text output (auto: only on a terminal, and not when NO_COLOR is set)",
    )
    p.add_argument(
        "--audit",
        choices=("auto", "always", "never"),
        default="auto",
        help="record each check in the compliance log (auto: when a BrandGuard database is configured "
        "or the data directory exists; always: fail with exit 2 if it cannot be recorded)",
    )
    p.set_defaults(handler=_run)


@dataclass(frozen=True)
class _Source:
    display: str
    path: Path | None  # None = stdin
    explicit: bool  # named on the command line (binary -> error) or found in a directory (-> skip)


def _collect(paths: list[str], errors: list[str]) -> list[_Source]:
    sources: list[_Source] = []
    for arg in paths or [STDIN_PATH]:
        if arg == STDIN_PATH:
            sources.append(_Source(STDIN_PATH, None, True))
            continue
        path = Path(arg)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in EXTENSIONS
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            sources.extend(_Source(str(p), p, False) for p in found)
        elif path.is_file():
            sources.append(_Source(arg, path, True))
        elif path.exists():
            errors.append(f"{arg}: not a regular file or directory")
        else:
            errors.append(f"{arg}: no such file or directory")
    return sources


def _read(source: _Source, max_bytes: int) -> bytes:
    from monitor.errors import InputError

    if source.path is None:
        if sys.stdin.isatty():
            print("brandguard: reading the draft from the terminal; end with Ctrl-D", file=sys.stderr)
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        try:
            size = source.path.stat().st_size
            if size > max_bytes:
                raise InputError(_too_big(source.display, size, max_bytes))
            data = source.path.read_bytes()
        except OSError as exc:
            raise InputError(f"{source.display}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(_too_big(source.display, len(data), max_bytes))
    return data


def _too_big(display: str, size: int, limit: int) -> str:
    return (
        f"{display}: {size / 1048576:.1f} MiB is over the per-file limit of {limit / 1048576:.1f} MiB "
        f"(--max-bytes {limit}); split the file"
    )


def _load_file_waivers(option: str | None) -> list[FileWaiver]:
    from monitor.errors import InputError
    from rules.waivers import parse_waiver_file

    path = Path(option) if option else Path(DEFAULT_WAIVER_FILE)
    if not option and not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"waiver file {path}: cannot read: {exc}") from None
    return parse_waiver_file(text, str(path))


def _check_one(source: _Source) -> tuple[str, Any]:
    """``("result", CheckResult)``, ``("error", message)`` or ``("notice", message)`` for one input.
    Module-level and configured through ``_WORKER`` so that a worker process can run it."""
    import hashlib

    from monitor.errors import InputError
    from rules import check
    from rules.capped import cap_report
    from rules.decode import decode_draft
    from rules.errors import BinaryDraftError, DraftDecodeError

    max_bytes, file_waivers, packs = _WORKER["max_bytes"], _WORKER["file_waivers"], _WORKER["packs"]
    try:
        data = _read(source, max_bytes)
        text, encoding = decode_draft(data)
    except BinaryDraftError as exc:
        if source.explicit:
            return "error", f"{source.display}: {exc}"
        return "notice", f"skipping {source.display}: {exc}"
    except DraftDecodeError as exc:
        return "error", f"{source.display}: {exc}"
    except InputError as exc:
        return "error", str(exc)
    scanned = text
    if source.path is not None and source.path.suffix.lower() in HTML_EXTENSIONS:
        scanned = mask_markup(text)
    waivers = [fw.waiver for fw in file_waivers if fw.applies_to(source.display)]
    # At most MAX_FINDINGS_PER_FILE findings leave this function (counts and verdict cover all of them):
    # the output, the audit entry and the parent's memory stay bounded however dense the draft is.
    report = cap_report(check(scanned, waivers=waivers, packs=packs), MAX_FINDINGS_PER_FILE)
    # Hash the decoded text (UTF-8, BOM removed), not the bytes: the same draft checked from a GBK
    # file, stdin or the web page gets the same audit hash. check() hashed what it scanned, which is the
    # text itself unless markup was masked.
    if scanned is not text:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        report = replace(report, text_sha256=digest)
    return "result", CheckResult(source.display, text, report, encoding)


# Settings of _check_one: set before the loop or the process pool (forked workers inherit them).
_WORKER: dict[str, Any] = {"max_bytes": DEFAULT_MAX_BYTES, "file_waivers": [], "packs": None}
MAX_FINDINGS_PER_FILE = 1000
# Below this many bytes in total, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024


def _total_size(sources: list[_Source]) -> int:
    import contextlib

    total = 0
    for source in sources:
        with contextlib.suppress(OSError):  # a vanished file is reported by _check_one
            total += source.path.stat().st_size if source.path is not None else 0
    return total


def _outcomes(sources: list[_Source], jobs: int) -> list[tuple[str, Any]]:
    if (
        jobs < 2
        or len(sources) < 2
        or any(s.path is None for s in sources)
        or _total_size(sources) < PARALLEL_MIN_BYTES
    ):
        return [_check_one(source) for source in sources]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from rules.checker import default_engine, engine_for

    # Build the engine before forking so that every worker starts with it compiled.
    packs = _WORKER["packs"]
    if packs is None:
        default_engine()
    else:
        engine_for(packs)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, len(sources) // (jobs * 4))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(_check_one, sources, chunksize=chunk))


def check_sources(
    paths: list[str],
    *,
    max_bytes: int,
    file_waivers: list[FileWaiver],
    notices: TextIO,
    packs: tuple[Pack, ...] | None = None,
    jobs: int = 1,
) -> tuple[list[CheckResult], list[str]]:
    """Check every input, in order; returns results and one-line input errors (without the program
    prefix). ``jobs`` > 1 checks files in that many processes when there is enough work."""
    errors: list[str] = []
    results: list[CheckResult] = []
    sources = _collect(paths, errors)
    _WORKER.update(max_bytes=max_bytes, file_waivers=file_waivers, packs=packs)
    for kind, payload in _outcomes(sources, jobs):
        if kind == "result":
            results.append(payload)
            if (total := getattr(payload.report, "findings_total", None)) is not None:
                print(
                    f"brandguard: notice: {payload.path}: {total:,} findings, only the first "
                    f"{MAX_FINDINGS_PER_FILE:,} are listed (the summary counts all)",
                    file=notices,
                )
        elif kind == "notice":
            print(f"brandguard: notice: {payload}", file=notices)
        else:
            errors.append(payload)
    return results, errors


def _run(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.errors import UsageError

    if args.max_bytes <= 0:
        raise UsageError("--max-bytes must be a positive number of bytes")
    if args.jobs < 1:
        raise UsageError("--jobs must be a positive number of processes")
    packs = _load_packs(args.pack)
    if args.industry:
        from rules.rulepack import default_packs, industry_packs

        names = tuple(n.strip() for n in args.industry.split(",") if n.strip())
        packs = (packs or default_packs()) + industry_packs(names)
    if args.list_rules:
        write_rules(packs, sys.stdout)
        return EXIT_OK
    file_waivers = _load_file_waivers(args.waivers)
    results, errors = check_sources(
        args.paths,
        max_bytes=args.max_bytes,
        file_waivers=file_waivers,
        notices=sys.stderr,
        packs=packs,
        jobs=args.jobs,
    )
    out = sys.stdout
    if args.format == "json":
        write_json(results, out)
    elif args.format == "sarif":
        write_sarif(results, out, packs)
    else:
        from rules.text_report import write_text

        write_text([(r.path, r.text, r.report) for r in results], out, colour=use_colour(args.color, out))
    out.flush()
    record_audit(ctx, results, mode=args.audit)
    for error in errors:
        print(f"brandguard: error: {error}", file=sys.stderr)
    if errors:
        return EXIT_INPUT
    return EXIT_FINDINGS if any(r.report.fails(args.fail_on) for r in results) else EXIT_OK


def _load_packs(extra: list[str]) -> tuple[Pack, ...] | None:
    """None means the bundled packs; ``--pack FILE`` adds a team's own packs to them."""
    if not extra:
        return None
    from monitor.errors import InputError
    from rules.rulepack import default_packs, parse_pack

    packs = list(default_packs())
    for name in extra:
        path = Path(name)
        if not path.is_file():
            raise InputError(f"rule pack {name}: no such file")
        pack = parse_pack(path)
        if any(p.name == pack.name for p in packs):
            raise InputError(f"rule pack {name}: pack name {pack.name!r} is already loaded")
        packs.append(pack)
    return tuple(packs)
