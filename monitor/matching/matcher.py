"""Which configured brands an item mentions: all brand queries evaluated on one shared term scan.

The daemon matches thousands of items against tens of brands, so every query term and exclusion term of
every brand goes into one Aho-Corasick automaton (``TermIndex``); each item is folded once and scanned
once, then each brand's AST is evaluated on the hit table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from monitor.matching.folding import Span, fold_for_match
from monitor.matching.query_language import Query, compile_query
from monitor.matching.term_index import TermIndex


class BrandTerms(Protocol):
    """What matching reads of a brand: ``monitor.config.BrandConfig``, or a plain named tuple in a parse
    worker (which then need not import the config models)."""

    @property
    def name(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def exclude(self) -> tuple[str, ...]: ...


# Title and body are folded separately and joined with a separator no term can contain, so that a
# title ending in 星河 and a body starting with 手机 do not fuse into 星河手机.
_SEPARATOR = " \x00 "


@dataclass(frozen=True)
class BrandHit:
    brand: str
    spans: list[Span]  # offsets in ``MatchedText.folded``


@dataclass(frozen=True)
class _CompiledBrand:
    name: str
    query: Query
    exclude: tuple[str, ...]  # folded
    terms: frozenset[str]  # folded query terms: no hit among them, no need to evaluate the AST


class BrandMatcher:
    def __init__(self, brands: Sequence[BrandTerms]) -> None:
        compiled = []
        for brand in brands:
            query = compile_query(brand.query)
            exclude = tuple(t for t in (fold_for_match(e) for e in brand.exclude) if t)
            compiled.append(_CompiledBrand(brand.name, query, exclude, frozenset(query.terms)))
        self._brands = tuple(compiled)
        terms = [t for b in self._brands for t in (*b.query.terms, *b.exclude)]
        self._index = TermIndex(terms)

    @property
    def brand_names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self._brands)

    @staticmethod
    def fold(title: str, text: str) -> str:
        return fold_for_match(title) + _SEPARATOR + fold_for_match(text)

    def match_detail(self, title: str, text: str, *, only: Sequence[str] | None = None) -> list[BrandHit]:
        """Matching brands with the spans that made them match (offsets into ``fold(title, text)``)."""
        folded = self.fold(title, text)
        hits = self._index.find(folded)
        if not hits:
            return []
        wanted = None if only is None else set(only)
        result: list[BrandHit] = []
        for brand in self._brands:
            if wanted is not None and brand.name not in wanted:
                continue
            if brand.terms.isdisjoint(hits):
                continue
            if any(term in hits for term in brand.exclude):
                continue  # an exclusion term vetoes the brand wherever it occurs
            matched, spans = brand.query.evaluate(hits)
            if matched:
                result.append(BrandHit(brand.name, spans))
        return result

    def match(self, title: str, text: str, *, only: Sequence[str] | None = None) -> list[str]:
        """Names of the brands whose query matches and no exclusion term occurs, in config order.

        ``only`` restricts to a source's brands without building one matcher per source.
        """
        return [hit.brand for hit in self.match_detail(title, text, only=only)]
