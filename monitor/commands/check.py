"""``brandguard check``: pre-check drafts against the Advertising Law, PIPL and PII rules.

Contract (DESIGN.md): PATH is a file or a directory (recursing into .txt .md .html .htm); ``-`` or no
PATH reads stdin. Exit 0 = nothing at or above ``--fail-on``, 1 = findings at or above it, 2 = usage or
input error (missing file, undecodable bytes, over the size limit). Input errors are reported per file
and the other files are still checked; the exit status is then 2.

Only ``rules`` is imported (lazily, in the handler): no scikit-learn, jieba, SQLAlchemy or httpx.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from monitor.context import Context
    from rules.findings import Finding, Report
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
        "paths", nargs="*", metavar="PATH",
        help="file or directory (recurses into .txt .md .html .htm); '-' or nothing reads stdin",
    )
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format")
    p.add_argument(
        "--fail-on", choices=("error", "warning", "never"), default="error",
        help="exit 1 when a (non-waived) finding is at or above this severity (default: error)",
    )
    p.add_argument(
        "--waivers", metavar="FILE",
        help=f"waiver file (default: ./{DEFAULT_WAIVER_FILE} if present)",
    )
    p.add_argument(
        "--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
        help=f"refuse files larger than N bytes (default: {DEFAULT_MAX_BYTES}, i.e. 10 MiB)",
    )
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour in text output (auto: only on a terminal, and not when NO_COLOR is set)")
    p.set_defaults(handler=_run)


@dataclass(frozen=True)
class CheckResult:
    """One checked input; what the audit log records (path, sha256, rule versions, findings)."""

    path: str
    text: str
    report: Report
    encoding: str


@dataclass(frozen=True)
class _Source:
    display: str
    path: Path | None  # None = stdin
    explicit: bool     # named on the command line (binary -> error) or found in a directory (-> skip)


def _collect(paths: list[str], errors: list[str]) -> list[_Source]:
    sources: list[_Source] = []
    for arg in paths or [STDIN_PATH]:
        if arg == STDIN_PATH:
            sources.append(_Source(STDIN_PATH, None, True))
            continue
        path = Path(arg)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.suffix.lower() in EXTENSIONS and p.is_file()
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
    return (f"{display}: {size / 1048576:.1f} MiB is over the per-file limit of {limit / 1048576:.1f} MiB "
            f"(--max-bytes {limit}); split the file")


def _mask_markup(text: str) -> str:
    """Blank out HTML tags, scripts and styles (same length, newlines kept) so that offsets still point
    into the original text; comments carrying a waiver marker are kept."""
    import re

    def blank(m: re.Match[str]) -> str:
        chunk = m.group()
        if chunk.startswith("<!--") and "brandguard-waive" in chunk:
            return chunk
        return "".join("\n" if ch == "\n" else " " for ch in chunk)

    return re.sub(r"(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>", blank, text)


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


def check_sources(
    paths: list[str], *, max_bytes: int, file_waivers: list[FileWaiver], notices: TextIO
) -> tuple[list[CheckResult], list[str]]:
    """Check every input; returns results and one-line input errors (without the program prefix)."""
    import hashlib

    from monitor.errors import InputError
    from rules import check
    from rules.decode import decode_draft
    from rules.errors import BinaryDraftError, DraftDecodeError

    errors: list[str] = []
    results: list[CheckResult] = []
    for source in _collect(paths, errors):
        try:
            data = _read(source, max_bytes)
            text, encoding = decode_draft(data)
        except BinaryDraftError as exc:
            if source.explicit:
                errors.append(f"{source.display}: {exc}")
            else:
                print(f"brandguard: notice: skipping {source.display}: {exc}", file=notices)
            continue
        except DraftDecodeError as exc:
            errors.append(f"{source.display}: {exc}")
            continue
        except InputError as exc:
            errors.append(str(exc))
            continue
        scanned = text
        if source.path is not None and source.path.suffix.lower() in HTML_EXTENSIONS:
            scanned = _mask_markup(text)
        waivers = [fw.waiver for fw in file_waivers if fw.applies_to(source.display)]
        report = check(scanned, waivers=waivers)
        # Hash the decoded text (UTF-8, BOM removed), not the bytes: the same draft checked from a GBK
        # file, stdin or the web page gets the same audit hash.
        report = replace(report, text_sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
        results.append(CheckResult(source.display, text, report, encoding))
    return results, errors


def _run(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.errors import UsageError

    if args.max_bytes <= 0:
        raise UsageError("--max-bytes must be a positive number of bytes")
    file_waivers = _load_file_waivers(args.waivers)
    results, errors = check_sources(
        args.paths, max_bytes=args.max_bytes, file_waivers=file_waivers, notices=sys.stderr
    )
    out = sys.stdout
    if args.format == "json":
        _write_json(results, out)
    elif args.format == "sarif":
        _write_sarif(results, out)
    else:
        _write_text(results, out, colour=_use_colour(args.color, out))
    out.flush()
    _record_audit(ctx, results)
    for error in errors:
        print(f"brandguard: error: {error}", file=sys.stderr)
    if errors:
        return EXIT_INPUT
    return EXIT_FINDINGS if any(r.report.fails(args.fail_on) for r in results) else EXIT_OK


def _record_audit(ctx: Context, results: list[CheckResult]) -> None:
    """One audit entry per checked input (DESIGN.md). Left for the lead to wire up, e.g.::

        from datetime import UTC, datetime
        from monitor.audit import record_check
        for r in results:
            record_check(ctx.engine, actor=ctx.actor, path=r.path, text_sha256=r.report.text_sha256,
                         rule_versions=r.report.rule_versions,
                         findings=[f.to_dict() for f in r.report.findings], now=datetime.now(UTC))

    Keep it after the output is printed so that ``check`` prints before touching the database.
    """
    return


def _json_result(result: CheckResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "findings": [f.to_dict() for f in result.report.findings],
        "summary": result.report.summary,
        "text_sha256": result.report.text_sha256,
        "rule_versions": result.report.rule_versions,
        "encoding": result.encoding,
    }


def json_document(results: list[CheckResult]) -> dict[str, Any]:
    """The ``--format json`` object; the web API returns the same document."""
    return {"version": 1, "results": [_json_result(r) for r in results]}


def _write_json(results: list[CheckResult], out: TextIO) -> None:
    import json

    # dumps(), not dump(): only the one-shot encoder is the C one; dump() streams through pure Python.
    out.write(json.dumps(json_document(results), ensure_ascii=False))
    out.write("\n")


def _write_sarif(results: list[CheckResult], out: TextIO) -> None:
    import json

    from monitor import __version__
    from rules.checker import default_engine
    from rules.sarif import to_sarif

    doc = to_sarif([(r.path, r.text, r.report) for r in results], default_engine().rules,
                   tool_version=__version__)
    out.write(json.dumps(doc, ensure_ascii=False))
    out.write("\n")


def _use_colour(option: str, out: TextIO) -> bool:
    if option != "auto":
        return option == "always"
    return out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[36m", "waived": "\033[2m"}
_RESET = "\033[0m"
_CONTEXT = 24  # characters of context either side of the term


def _context_line(text: str, finding: Finding, colour: bool) -> str:
    line_start = text.rfind("\n", 0, finding.start) + 1
    line_end = text.find("\n", finding.end)
    line_end = len(text) if line_end < 0 else line_end
    lo = max(line_start, finding.start - _CONTEXT)
    hi = min(line_end, finding.end + _CONTEXT)
    before, term, after = text[lo:finding.start], text[finding.start:finding.end], text[finding.end:hi]
    term = term.replace("\n", "⏎")
    marked = f"\033[1;4;31m{term}{_RESET}" if colour else f">>{term}<<"
    return f"{'…' if lo > line_start else ''}{before}{marked}{after}{'…' if hi < line_end else ''}".replace(
        "\r", ""
    )


def _write_text(results: list[CheckResult], out: TextIO, *, colour: bool) -> None:
    totals = {"error": 0, "warning": 0, "info": 0}
    waived = 0
    for result in results:
        for f in result.report.findings:
            label = "waived" if f.waived else f.severity
            shown = f"{_COLOURS[label]}{label}{_RESET}" if colour else label
            out.write(f"{result.path}:{f.line}:{f.column}: {shown} [{f.rule_id}] {f.message}\n")
            out.write(f"    {_context_line(result.text, f, colour)}\n")
            out.write(f"    依据: {f.law} {f.article}\n")
            if f.waived:
                out.write(f"    已豁免 (waived): {f.waiver_reason}\n")
            for suggestion in f.suggestions:
                out.write(f"    建议: {suggestion}\n")
        for severity, count in result.report.summary.items():
            totals[severity] += count
        waived += len(result.report.waived)
    files = len(results)
    out.write(
        f"{files} file{'s' if files != 1 else ''} checked: {totals['error']} error(s), "
        f"{totals['warning']} warning(s), {totals['info']} info, {waived} waived\n"
    )
