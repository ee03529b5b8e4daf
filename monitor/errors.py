"""Errors raised by the daemon side of BrandGuard.

Hierarchy::

    BrandGuardError            known, explainable failure; the CLI prints one line and exits 2
    ├── UsageError             bad command-line arguments or combinations
    ├── InputError             unreadable, undecodable or oversize input files
    ├── ConfigError            brandguard.toml is missing a key, has a bad value, or cannot be parsed
    ├── StorageError           the database cannot be opened, migrated or written
    ├── FetchError             a source could not be fetched (see monitor.fetch.errors for the subclasses)
    └── ParseError             a fetched document cannot be parsed at all (not a feed, empty, hostile)

The sibling packages have their own roots (``rules.errors.RulesError``, ``models.errors.ModelError``,
``alerts.errors.AlertsError``); the CLI treats those as known errors too.
"""

from __future__ import annotations


class BrandGuardError(Exception):
    """A failure the user can act on; ``str(error)`` is the one line shown to them."""


class UsageError(BrandGuardError):
    pass


class InputError(BrandGuardError):
    pass


class ConfigError(BrandGuardError):
    pass


class StorageError(BrandGuardError):
    pass


class FetchError(BrandGuardError):
    pass


class ParseError(BrandGuardError):
    """A fetched document yields nothing usable; ``str(error)`` says why in one line."""
