"""Errors of the compliance engine.

Hierarchy::

    RulesError                 root; the CLI prints one line and exits 2
    ├── RulePackError          a rule pack file is malformed; the message names the file and the rule id
    ├── WaiverFileError        a waiver file is malformed; the message names the file and the entry
    └── DraftDecodeError       draft bytes are not text we can decode (UTF-8, UTF-16 with BOM, GB18030)
        └── BinaryDraftError   the bytes look binary (NUL bytes), not text at all
"""

from __future__ import annotations


class RulesError(Exception):
    pass


class RulePackError(RulesError):
    pass


class WaiverFileError(RulesError):
    pass


class DraftDecodeError(RulesError):
    pass


class BinaryDraftError(DraftDecodeError):
    pass
