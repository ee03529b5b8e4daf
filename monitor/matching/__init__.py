"""Matching wing: which brands a post is about, and whether it is news or a repeat.

It owns the brand query language (AND/OR/NOT, grouping, NEAR/n in characters, phrases, exclusions),
the folding applied to query terms and post texts alike, the matcher that evaluates every brand's
query on one shared term scan, and de-duplication (stable keys per item, SimHash fingerprints that
link reposts into one story). Everything here is pure: text in, answers out; no database, no clock.
Modules: ``query_language``, ``folding``, ``matcher``, ``dedup``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from monitor.errors import ConfigError

if TYPE_CHECKING:
    from monitor.config import BrandConfig

__all__ = ["check_brand_queries"]


def check_brand_queries(brands: Sequence[BrandConfig], *, label: str) -> None:
    """Raise ``ConfigError`` (``<label>: brands[i].query: <reason at position>``) for the first brand
    whose query does not compile. The config wing checks the file's shape; the query language is ours."""
    from monitor.matching.query_language import QueryError, compile_query

    for i, brand in enumerate(brands):
        try:
            compile_query(brand.query)
        except QueryError as exc:
            raise ConfigError(f"{label}: brands[{i}].query: {exc.reason_with_position}") from None
