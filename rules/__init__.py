"""Compliance engine: draft text in, findings out. Pure: no network, no database, no clock.

Public API (imports are lazy so that ``import rules`` stays cheap)::

    rules.check(text, *, waivers=(), industries=()) -> Report
                                                  Advertising Law, PIPL and PII findings; industry packs
                                                  (rules/packs/industry/) by name or by a
                                                  `brandguard-industry:` line in the draft
    rules.risk_terms(text) -> list[str]           crisis / risk vocabulary found in a text
    rules.normalize.fold(text) -> Folded          folding with offsets back to the original
    rules.Finding, rules.Report, rules.Waiver     result and input types
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rules.checker import check
    from rules.findings import Finding, Report
    from rules.risk import risk_terms
    from rules.waivers import Waiver

__all__ = ["Finding", "Report", "Waiver", "check", "risk_terms"]

_LAZY = {
    "check": "rules.checker",
    "Finding": "rules.findings",
    "Report": "rules.findings",
    "risk_terms": "rules.risk",
    "Waiver": "rules.waivers",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rules' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
