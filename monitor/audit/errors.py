"""Errors of the compliance log; all are ``monitor.errors.BrandGuardError`` so the CLI prints one line.

Hierarchy::

    BrandGuardError (monitor.errors)
    └── AuditError             a compliance-log operation cannot be done as asked
        ├── AuditKeyMissing    signing needs BRANDGUARD_AUDIT_KEY and it is not set
        ├── ExportFileError    an export or its manifest cannot be read or written
        └── AnchorDamaged      the anchor file fails its own line chain; it is not extended

A *broken* log is not an exception: verification returns a result that names the first bad entry.
"""

from __future__ import annotations

from monitor.errors import BrandGuardError


class AuditError(BrandGuardError):
    pass


class AuditKeyMissing(AuditError):
    pass


class ExportFileError(AuditError):
    pass


class AnchorDamaged(AuditError):
    pass
