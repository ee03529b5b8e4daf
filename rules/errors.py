"""Errors of the compliance engine.

Hierarchy::

    RulesError                 root; the CLI prints one line and exits 2
    └── RulePackError          a rule pack file is malformed; the message names the file and the rule id
"""

from __future__ import annotations


class RulesError(Exception):
    pass


class RulePackError(RulesError):
    pass
