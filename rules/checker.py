"""``check(text) -> Report``: the public entry point of the compliance engine."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache

from rules.compact import scan_text
from rules.engine import Engine, Hit
from rules.findings import Finding, Report
from rules.rulepack import Pack, default_packs, industry_packs
from rules.waivers import Waiver, apply_waivers, find_markers


@cache
def default_engine() -> Engine:
    return Engine(default_packs())


# A draft names its industries on a line of its own, in any comment syntax:
# ``<!-- brandguard-industry: food, health_food -->`` or ``# brandguard-industry: cosmetics``.
_INDUSTRY_MARKER = re.compile(r"brandguard-industry\s*[:：]\s*(?P<names>[a-z_]+(?:\s*[,，、 ]\s*[a-z_]+)*)")


def industries_in(text: str) -> tuple[str, ...]:
    """Industry pack names declared in the draft by ``brandguard-industry:`` markers."""
    if "brandguard-industry" not in text:
        return ()
    names: set[str] = set()
    for m in _INDUSTRY_MARKER.finditer(text):
        names.update(n for n in re.split(r"[\s,，、]+", m.group("names")) if n)
    return tuple(sorted(names))


@cache
def engine_for(packs: tuple[Pack, ...]) -> Engine:
    """One compiled engine per set of packs (packs are frozen, so the tuple is a cache key)."""
    return Engine(packs)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _finding(text: str, hit: Hit, line_starts: list[int]) -> Finding:
    rule = hit.rule
    line = bisect_right(line_starts, hit.start)
    if hit.note is None:
        message = rule.message
    elif hit.severity == "info":
        message = f"可能适用豁免：{hit.note}。（{rule.message}）"
    else:
        message = f"需结合上下文判断：{hit.note}。（{rule.message}）"
    return Finding._from_fields(
        {
            "rule_id": rule.id,
            "category": rule.category,
            "severity": hit.severity,
            "start": hit.start,
            "end": hit.end,
            "line": line,
            "column": hit.start - line_starts[line - 1] + 1,
            "text": text[hit.start : hit.end],
            "message": message,
            "law": rule.law,
            "article": rule.article,
            "suggestions": rule.suggestions,
            "waived": False,
            "waiver_reason": None,
            "waiver_source": None,
        }
    )


def check(
    text: str,
    *,
    waivers: Iterable[Waiver] = (),
    packs: tuple[Pack, ...] | None = None,
    industries: Iterable[str] = (),
) -> Report:
    """Check a draft against the Advertising Law, PIPL and PII rule packs.

    ``text`` is the decoded draft (BOM removed). Every finding's ``text == text[start:end]``. Inline
    ``brandguard-waive`` markers and the given ``waivers`` mark findings as waived; waived findings stay
    in the report but are not counted in ``Report.summary`` nor by ``Report.fails``. ``packs`` replaces
    the bundled packs (e.g. ``default_packs() + (parse_pack(path),)`` for a team's own banned words).
    ``industries`` (and any ``brandguard-industry: food, cosmetics`` line in the draft) add industry packs
    (rules/packs/industry/) on top; an unknown name raises :class:`rules.errors.RulePackError`.
    """
    wanted = tuple(sorted(set(industries) | set(industries_in(text))))
    if wanted:
        base = default_packs() if packs is None else packs
        have = {p.name for p in base}
        packs = base + tuple(p for p in industry_packs(wanted) if p.name not in have)
    engine = default_engine() if packs is None else engine_for(packs)
    hits = engine.scan(scan_text(text))
    line_starts = _line_starts(text)
    findings = sorted(
        (_finding(text, hit, line_starts) for hit in hits),
        key=lambda f: (f.start, f.end, f.rule_id),
    )
    if findings:
        findings = apply_waivers(findings, find_markers(text, line_starts), tuple(waivers))
    return Report(
        findings=tuple(findings),
        text_sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        rule_versions=dict(engine.rule_versions),
    )
