"""The brand query language: tokeniser, recursive-descent parser, AST and evaluation on term hits.

Grammar (precedence NOT > NEAR > AND > OR; adjacent operands are ANDed)::

    query   := or
    or      := and ("OR" and)*
    and     := near (["AND"] near)*
    near    := unary ("NEAR/" n unary)*
    unary   := "NOT" unary | primary
    primary := TERM | "quoted phrase" | "(" or ")"

``A NEAR/n B`` holds when an occurrence of A and one of B have at most n characters between them,
counted on folded text (so 星河 NEAR/6 手机 means "at most six characters in between").
Operators are upper-case; ``and``/``or`` in lower case are ordinary terms. Full-width parentheses and
curly quotes are accepted because operators type queries with a Chinese input method. A query must
contain a term that has to occur (a bare ``NOT x`` would match nearly every post), NEAR operands cannot
be negated, and terms that start or end with an ASCII letter or digit match only at a word boundary.

Terms and texts go through the same ``monitor.matching.folding.fold_for_match``, so 星河手機, ＸＩＮＧＨＥ and
"星 河 手 机" all find 星河手机.
Evaluation is split from term search (``monitor.matching.term_index``) so that
``monitor.matching.matcher`` can run one Aho-Corasick automaton for all brands and evaluate each query
on the shared hit table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Union

from monitor.errors import ConfigError
from monitor.matching.folding import Span, fold_for_match, fold_with_offsets, original_span
from monitor.matching.term_index import TermIndex

Hits = Mapping[str, Sequence[Span]]


class QueryError(ConfigError):
    """The query does not parse; ``position`` is a 0-based character index into the query source."""

    def __init__(self, reason: str, position: int, source: str) -> None:
        self.reason = reason
        self.position = position
        self.source = source
        super().__init__(f"query {source!r}: {self.reason_with_position}")

    @property
    def reason_with_position(self) -> str:
        return f"{self.reason} at position {self.position}"


# --- AST ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str  # folded
    position: int

    def evaluate(self, hits: Hits) -> tuple[bool, list[Span]]:
        spans = list(hits.get(self.text, ()))
        return bool(spans), spans


@dataclass(frozen=True)
class Not:
    operand: Node
    position: int

    def evaluate(self, hits: Hits) -> tuple[bool, list[Span]]:
        matched, _ = self.operand.evaluate(hits)
        return not matched, []


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]

    def evaluate(self, hits: Hits) -> tuple[bool, list[Span]]:
        spans: list[Span] = []
        for operand in self.operands:
            matched, found = operand.evaluate(hits)
            if not matched:
                return False, []
            spans.extend(found)
        return True, spans


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]

    def evaluate(self, hits: Hits) -> tuple[bool, list[Span]]:
        any_match = False
        spans: list[Span] = []
        for operand in self.operands:
            matched, found = operand.evaluate(hits)
            if matched:
                any_match = True
                spans.extend(found)
        return any_match, spans


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int

    def evaluate(self, hits: Hits) -> tuple[bool, list[Span]]:
        left_ok, left = self.left.evaluate(hits)
        if not left_ok:
            return False, []
        right_ok, right = self.right.evaluate(hits)
        if not right_ok:
            return False, []
        spans: set[Span] = set()
        # Hit lists are short (a brand name occurs a handful of times per post), so pairs are cheap.
        for a in left:
            for b in right:
                gap = max(a[0], b[0]) - min(a[1], b[1])
                if gap <= self.distance:
                    spans.add(a)
                    spans.add(b)
        return bool(spans), sorted(spans)


Node = Union[Term, Not, And, Or, Near]  # noqa: UP007 - a runtime alias used in dataclass annotations


def _is_positive(node: Node) -> bool:
    """Whether the node can only match when some term occurs (a bare NOT matches almost everything)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_is_positive(op) for op in node.operands)
    if isinstance(node, Or):
        return all(_is_positive(op) for op in node.operands)
    return True  # Near: operands checked at parse time


def _terms(node: Node) -> list[str]:
    if isinstance(node, Term):
        return [node.text]
    if isinstance(node, Not):
        return _terms(node.operand)
    if isinstance(node, Near):
        return _terms(node.left) + _terms(node.right)
    return [t for op in node.operands for t in _terms(op)]


# --- tokeniser ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # TERM PHRASE LPAREN RPAREN AND OR NOT NEAR END
    value: str
    position: int
    distance: int = 0


_OPEN = "(（"
_CLOSE = ")）"
_QUOTES = {'"': '"', "“": "”", "＂": "＂"}
_NEAR = re.compile(r"NEAR/(\d+)$")
_WORD_END = re.compile(r"""[\s()（）"“”＂]""")


def _tokenise(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
        elif ch in _OPEN:
            tokens.append(_Token("LPAREN", ch, i))
            i += 1
        elif ch in _CLOSE:
            tokens.append(_Token("RPAREN", ch, i))
            i += 1
        elif ch in _QUOTES:
            close = source.find(_QUOTES[ch], i + 1)
            if close < 0:
                raise QueryError("unterminated quoted phrase", i, source)
            tokens.append(_Token("PHRASE", source[i + 1 : close], i))
            i = close + 1
        else:
            end_match = _WORD_END.search(source, i)
            end = end_match.start() if end_match else n
            if end == i:  # a closing curly quote with no opening one; anything else is handled above
                raise QueryError(f"unmatched {ch!r}", i, source)
            word = source[i:end]
            if word in ("AND", "OR", "NOT"):
                tokens.append(_Token(word, word, i))
            elif word.startswith("NEAR"):
                near = _NEAR.match(word)
                if not near:
                    raise QueryError("NEAR needs a distance in characters, e.g. NEAR/6", i, source)
                tokens.append(_Token("NEAR", word, i, int(near.group(1))))
            else:
                tokens.append(_Token("TERM", word, i))
            i = end
    tokens.append(_Token("END", "", n))
    return tokens


# --- parser -------------------------------------------------------------------------------------

_STARTS_OPERAND = frozenset({"TERM", "PHRASE", "LPAREN", "NOT"})


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenise(source)
        self.i = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, reason: str, token: _Token) -> QueryError:
        return QueryError(reason, token.position, self.source)

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.fail("empty query", self.peek())
        node = self.parse_or()
        token = self.peek()
        if token.kind == "RPAREN":
            raise self.fail("unbalanced ')'", token)
        if token.kind != "END":
            raise self.fail(f"unexpected {token.value!r}", token)
        if not _is_positive(node):
            raise QueryError(
                "query needs a term that must occur (NOT alone matches everything)", 0, self.source
            )
        return node

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while self.peek().kind == "OR":
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_near()]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.take()
            elif kind not in _STARTS_OPERAND:
                break
            operands.append(self.parse_near())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_near(self) -> Node:
        left = self.parse_unary()
        while self.peek().kind == "NEAR":
            op = self.take()
            right = self.parse_unary()
            if (
                isinstance(left, Not)
                or isinstance(right, Not)
                or not (_is_positive(left) and _is_positive(right))
            ):
                raise self.fail("NEAR operands cannot be negated", op)
            left = Near(left, right, op.distance)
        return left

    def parse_unary(self) -> Node:
        token = self.peek()
        if token.kind == "NOT":
            self.take()
            return Not(self.parse_unary(), token.position)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        token = self.take()
        if token.kind in ("TERM", "PHRASE"):
            folded = fold_for_match(token.value)
            if not folded:
                raise self.fail("empty phrase", token)
            return Term(folded, token.position)
        if token.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise self.fail("empty parentheses", self.peek())
            node = self.parse_or()
            close = self.take()
            if close.kind != "RPAREN":
                raise QueryError("missing ')'", close.position, self.source)
            return node
        if token.kind == "END":
            raise self.fail("query ends where a term was expected", token)
        raise self.fail(f"expected a term, got {token.value!r}", token)


_OPERATOR_LOOKALIKES = {"and": "AND", "or": "OR", "not": "NOT", "near": "NEAR/n"}


def query_warnings(source: str) -> list[str]:
    """Likely mistakes in a query that still parses: operators written in lower case are search terms."""
    warnings = []
    for token in _tokenise(source):
        if token.kind != "TERM":
            continue
        word = token.value.lower().split("/")[0]
        if word in _OPERATOR_LOOKALIKES and token.value != token.value.upper():
            operator = _OPERATOR_LOOKALIKES[word]
            where = f"{token.value!r} at position {token.position}"
            warnings.append(f"{where} is a search term; write {operator} for the operator")
    return warnings


def parse_query(source: str) -> Node:
    """The AST of ``source``; raises ``QueryError`` with the position of the problem."""
    return _Parser(source).parse()


# --- term search --------------------------------------------------------------------------------


# --- compiled query -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    source: str
    root: Node
    terms: tuple[str, ...] = field(default=())

    @cached_property
    def _index(self) -> TermIndex:
        return TermIndex(self.terms)

    def evaluate(self, hits: Hits) -> tuple[bool, list[Span]]:
        """Evaluate on a precomputed hit table (term -> spans), e.g. from a shared ``TermIndex``."""
        matched, spans = self.root.evaluate(hits)
        return matched, (sorted(set(spans)) if matched else [])

    def matches(self, folded_text: str) -> bool:
        return self.evaluate(self._index.find(folded_text))[0]

    def hits(self, folded_text: str) -> list[Span]:
        """Spans (start, end) in ``folded_text`` of the terms that made the query match; [] if no match."""
        return self.evaluate(self._index.find(folded_text))[1]

    def highlight(self, text: str) -> list[Span]:
        """Spans in the ORIGINAL ``text`` (not folded) of the terms that made the query match."""
        folded, offsets = fold_with_offsets(text)
        return [original_span(offsets, span) for span in self.hits(folded)]


def compile_query(source: str) -> Query:
    root = parse_query(source)
    return Query(source=source, root=root, terms=tuple(dict.fromkeys(_terms(root))))
