"""Text output of ``brandguard check`` for people: location, the term highlighted in context, the law
and article, and the suggestions. Colour (ANSI) only when the caller says the output is a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rules.findings import Finding, Report

_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[36m", "waived": "\033[2m"}
_RESET = "\033[0m"
_CONTEXT = 24  # characters of context either side of the term


def _context_line(text: str, finding: Finding, colour: bool) -> str:
    line_start = text.rfind("\n", 0, finding.start) + 1
    line_end = text.find("\n", finding.end)
    line_end = len(text) if line_end < 0 else line_end
    lo = max(line_start, finding.start - _CONTEXT)
    hi = min(line_end, finding.end + _CONTEXT)
    before, term, after = text[lo : finding.start], text[finding.start : finding.end], text[finding.end : hi]
    term = term.replace("\n", "⏎")
    marked = f"\033[1;4;31m{term}{_RESET}" if colour else f">>{term}<<"
    return f"{'…' if lo > line_start else ''}{before}{marked}{after}{'…' if hi < line_end else ''}".replace(
        "\r", ""
    )


def write_text(results: Sequence[tuple[str, str, Report]], out: TextIO, *, colour: bool) -> None:
    """``results`` are ``(path, text, report)``; ends with a one-line summary."""
    totals = {"error": 0, "warning": 0, "info": 0}
    waived = 0
    for path, text, report in results:
        for f in report.findings:
            label = "waived" if f.waived else f.severity
            shown = f"{_COLOURS[label]}{label}{_RESET}" if colour else label
            out.write(f"{path}:{f.line}:{f.column}: {shown} [{f.rule_id}] {f.message}\n")
            out.write(f"    {_context_line(text, f, colour)}\n")
            out.write(f"    依据: {f.law} {f.article}\n")
            if f.waived:
                out.write(f"    已豁免 (waived): {f.waiver_reason}\n")
            for suggestion in f.suggestions:
                out.write(f"    建议: {suggestion}\n")
        for severity, count in report.summary.items():
            totals[severity] += count
        waived += len(report.waived)
    files = len(results)
    out.write(
        f"{files} file{'s' if files != 1 else ''} checked: {totals['error']} error(s), "
        f"{totals['warning']} warning(s), {totals['info']} info, {waived} waived\n"
    )
