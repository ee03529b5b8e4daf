"""Waivers: a copywriter accepts a finding, with a reason. Waived findings are still reported.

Two sources:

* an inline marker in the draft, e.g.
  ``<!-- brandguard-waive ad_law.absolute_terms 奖项真实，证书编号 2025-118 -->``
  (any comment syntax, or none). It waives matching findings on its own line; when the line holds
  nothing but the marker, it waives the next non-empty line instead. The rule may be a full id, a
  prefix such as ``ad_law.*``, or ``*``. A marker without a reason waives nothing (the reason is the
  point).
* :class:`Waiver` objects passed to ``rules.check(text, waivers=...)`` — the CLI reads them from a waiver
  file (see ``monitor/commands/check.py``); ``text`` narrows a waiver to findings with that exact text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rules.findings import Finding

_MARKER = re.compile(
    r"brandguard-waive\s*[:：]?\s*(?P<rule>\*|[a-z_]+(?:\.[a-z_]+)*(?:\.\*)?)[ \t　]*(?P<reason>[^\n]*)"
)
_COMMENT_TAIL = re.compile(r"\s*(?:-->|\*/|#}|%})?\s*$")
_COMMENT_ONLY = re.compile(r"^\s*(?:<!--|/\*|//|#|;|\{#|\{%)?\s*$")


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    text: str | None = None

    def matches(self, finding: Finding) -> bool:
        if self.text is not None and finding.text != self.text:
            return False
        if self.rule == "*":
            return True
        if self.rule.endswith(".*"):
            return finding.rule_id.startswith(self.rule[:-1])
        return finding.rule_id == self.rule


@dataclass(frozen=True)
class InlineMarker:
    waiver: Waiver
    start: int
    end: int
    line: int  # the 1-based line whose findings it waives


def find_markers(text: str, line_starts: list[int]) -> list[InlineMarker]:
    from bisect import bisect_right

    markers = []
    for m in _MARKER.finditer(text):
        reason = _COMMENT_TAIL.sub("", m.group("reason")).strip()
        if not reason:
            continue
        line = bisect_right(line_starts, m.start())
        line_start = line_starts[line - 1]
        line_end = text.find("\n", m.end())
        before = text[line_start : m.start()]
        if _COMMENT_ONLY.match(before):
            # The marker has a line of its own: it covers the next line with text.
            target = line + 1
            while target <= len(line_starts):
                s = line_starts[target - 1]
                e = text.find("\n", s)
                if text[s : e if e >= 0 else len(text)].strip():
                    break
                target += 1
            line = target
        end = line_end if line_end >= 0 else len(text)
        markers.append(InlineMarker(Waiver(m.group("rule"), reason), m.start(), end, line))
    return markers


def apply_waivers(
    findings: list[Finding], markers: list[InlineMarker], waivers: tuple[Waiver, ...]
) -> list[Finding]:
    """Drop findings inside a marker (its reason is not copy) and mark the waived ones."""
    if not markers and not waivers:
        return findings  # the usual case; the loop below costs ~1 us a finding
    out = []
    for f in findings:
        if any(m.start <= f.start < m.end for m in markers):
            continue
        reason = next((m.waiver.reason for m in markers if m.line == f.line and m.waiver.matches(f)), None)
        source = "inline"
        if reason is None:
            reason, source = next((w.reason for w in waivers if w.matches(f)), None), "file"
        if reason is not None:
            f = replace(f, waived=True, waiver_reason=reason, waiver_source=source)
        out.append(f)
    return out


@dataclass(frozen=True)
class FileWaiver:
    """An entry of a waiver file; ``paths`` are fnmatch globs on the reported path (empty = all)."""

    waiver: Waiver
    paths: tuple[str, ...] = ()

    def applies_to(self, path: str) -> bool:
        from fnmatch import fnmatch

        return not self.paths or any(fnmatch(path, glob) for glob in self.paths)


def parse_waiver_file(text: str, source: str) -> list[FileWaiver]:
    """Parse a waiver file::

    [[waivers]]
    rule = "ad_law.absolute_terms"     # full id, "ad_law.*" or "*"
    reason = "2025 年度评选第一，证书编号 118"   # required
    text = "第一"                       # optional: only findings with exactly this text
    paths = ["campaigns/*.md"]          # optional: only these files
    """
    import tomllib

    from rules.errors import WaiverFileError

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WaiverFileError(f"waiver file {source}: invalid TOML: {exc}") from None
    entries = data.get("waivers", [])
    if not isinstance(entries, list):
        raise WaiverFileError(f"waiver file {source}: 'waivers' must be an array of tables ([[waivers]])")
    out = []
    for number, entry in enumerate(entries, start=1):
        where = f"waiver file {source}: entry #{number}"
        if not isinstance(entry, dict):
            raise WaiverFileError(f"{where}: must be a table")
        unknown = set(entry) - {"rule", "reason", "text", "paths"}
        if unknown:
            raise WaiverFileError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        rule, reason = entry.get("rule"), entry.get("reason")
        if not isinstance(rule, str) or not _RULE_REF.fullmatch(rule):
            raise WaiverFileError(f"{where}: 'rule' must be a rule id, a prefix like 'ad_law.*', or '*'")
        if not isinstance(reason, str) or not reason.strip():
            raise WaiverFileError(f"{where}: 'reason' is required (why is this finding acceptable?)")
        finding_text = entry.get("text")
        if finding_text is not None and not isinstance(finding_text, str):
            raise WaiverFileError(f"{where}: 'text' must be a string")
        paths = entry.get("paths", [])
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise WaiverFileError(f"{where}: 'paths' must be a list of glob strings")
        out.append(FileWaiver(Waiver(rule, reason.strip(), finding_text), tuple(paths)))
    return out


_RULE_REF = re.compile(r"\*|[a-z_]+(?:\.[a-z_]+)*(?:\.\*)?")
