"""Rule packs: TOML data in ``rules/packs/``, validated at load.

Every error names the file and, where there is one, the rule id, so a typo in a pack fails loudly at
start-up instead of silently matching nothing. See the header of ``rules/packs/ad_law.toml`` for the
meaning of the keys.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rules.compact import compact_term
from rules.errors import RulePackError
from rules.findings import CATEGORIES, SEVERITIES

PACK_DIR = Path(__file__).with_name("packs")
COMPLIANCE_PACKS = ("ad_law", "pipl", "pii")
# Industry packs (rules/packs/industry/NAME.toml) are off by default: a team selling such products switches
# them on per draft (a `brandguard-industry:` line) or per run (`brandguard check --industry NAME,...`).
INDUSTRY_DIR = PACK_DIR / "industry"
KINDS = ("terms", "document", "detector")
DETECTORS = ("mobile", "id_number", "bank_card", "email")

_REQUIRED = ("id", "category", "severity", "law", "article", "message", "suggestions")
_OPTIONAL = {
    "kind",
    "terms",
    "patterns",
    "allow",
    "allow_patterns",
    "exempt",
    "triggers",
    "satisfied_by",
    "context",
    "scope",
    "detector",
    "requires",
    "soften",
    "defer",
}
_DEFINE = re.compile(r"\{(\w+)\}")
# An unescaped negated character class, e.g. [^。！？]: see _regexes.
_NEGATED_CLASS = re.compile(r"(?<!\\)\[\^")


@dataclass(frozen=True)
class Exempt:
    """A context in which a hit is reported at ``severity`` with ``reason`` appended: ``exempt`` entries
    (info: a documented exemption applies) and ``soften`` entries (warning: a person should judge)."""

    pattern: re.Pattern[str]
    reason: str
    severity: str = "info"


@dataclass(frozen=True)
class Rule:
    id: str
    pack: str
    category: str
    severity: str
    law: str
    article: str
    message: str
    suggestions: tuple[str, ...]
    kind: str = "terms"
    terms: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    allow: tuple[str, ...] = ()
    allow_patterns: tuple[re.Pattern[str], ...] = ()
    exempts: tuple[Exempt, ...] = ()
    triggers: tuple[re.Pattern[str], ...] = ()
    satisfied_by: tuple[re.Pattern[str], ...] = ()
    context: tuple[re.Pattern[str], ...] = ()
    scope: str = "each"
    detector: str | None = None
    requires: tuple[str, ...] = ()
    satisfied_words: tuple[str, ...] = ()
    # A broad rule (endorsements, numeric promises) that reports only where no other rule already does.
    defer: bool = False
    # For each of ``patterns``: a regex of literal words one of which must be in the searched text for
    # the pattern to run (None: always run). Written in a pack as ``{ pattern = '...', requires = 'a|b' }``.
    pattern_needles: tuple[re.Pattern[str] | None, ...] = ()

    @property
    def allow_regex(self) -> re.Pattern[str] | None:
        """All allow patterns as one alternation: one search per hit window instead of one per pattern."""
        return _combined(self.allow_patterns)


@cache
def _combined(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))


@dataclass(frozen=True)
class Pack:
    name: str
    version: str
    path: Path
    rules: tuple[Rule, ...]


class _Where:
    """Builds error messages that name the file and rule."""

    def __init__(self, path: Path, rule_id: str | None = None) -> None:
        self.path = path
        self.rule_id = rule_id

    def error(self, message: str) -> RulePackError:
        where = f"{self.path.name}: rule {self.rule_id!r}" if self.rule_id else self.path.name
        return RulePackError(f"rule pack {where}: {message}")


def _strings(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.error(f"{key!r} must be a list of non-empty strings")
    return tuple(value)


def _needle(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def _source(where: _Where, entry: Any) -> Any:
    """A pattern entry is a string, or a table with `pattern` and its own `requires` words."""
    if isinstance(entry, dict):
        if set(entry) != {"pattern", "requires"}:
            raise where.error("a table in 'patterns' needs exactly 'pattern' and 'requires'")
        return entry["pattern"]
    return entry


def _flag(where: _Where, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise where.error(f"{key!r} must be true or false")
    return value


def _text(where: _Where, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error(f"{key!r} must be a non-empty string")
    return value


def _regexes(
    where: _Where, key: str, value: Any, defines: dict[str, str], line_local: bool = False
) -> tuple[re.Pattern[str], ...]:
    """Compile patterns after {define} expansion. ``line_local`` patterns (terms rules: hits, allow and
    exempt phrases) must not reach across a line: "." already stops at "\n", and every negated class
    ([^。！？]) gets "\n" added, so authors need not remember it."""
    out = []
    for source in _strings(where, key, value):
        expanded = _DEFINE.sub(lambda m: defines.get(m.group(1), m.group(0)), source)
        if line_local:
            expanded = _NEGATED_CLASS.sub(r"[^\\n", expanded)
        try:
            out.append(re.compile(expanded))
        except re.error as exc:
            raise where.error(f"{key!r}: bad regular expression {source!r}: {exc}") from None
    return tuple(out)


def _terms(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    # Authors may write terms in any width or script; they are stored the way the scanner sees text.
    # 第一 also gets its digit form so that 第１ / 第1 are caught (and 第1次 allowed) like 第一.
    out: list[str] = []
    for raw in _strings(where, key, value):
        for variant in {raw, raw.replace("第一", "第1")}:
            term = compact_term(variant)
            if not term:
                raise where.error(f"{key!r}: {raw!r} is empty after folding")
            if term not in out:
                out.append(term)
    return tuple(out)


_METACHARS = set("()[]?*+\\{}.^$")


def _literal(source: str, defines: dict[str, str]) -> bool:
    """A pattern that is only words separated by '|' (after {define} expansion)."""
    return not _METACHARS & set(_DEFINE.sub(lambda m: defines.get(m.group(1), m.group(0)), source))


def _requires(where: _Where, value: Any, defines: dict[str, str]) -> tuple[str, ...]:
    # A cheap prefilter for document rules: literal words (a {define} expands to its alternatives), at
    # least one of which must occur before the rule's regexes run at all.
    words: list[str] = []
    for entry in _strings(where, "requires", value):
        expanded = _DEFINE.sub(lambda m: defines.get(m.group(1), m.group(0)), entry)
        if _METACHARS & set(expanded):
            raise where.error(f"'requires' takes literal words separated by '|', not {entry!r}")
        words.extend(w for w in expanded.split("|") if w)
    return _terms(where, "requires", words) if words else ()


def _rule(where: _Where, pack: str, raw: Any, defines: dict[str, str]) -> Rule:
    if not isinstance(raw, dict):
        raise where.error("each [[rules]] entry must be a table")
    unknown = set(raw) - set(_REQUIRED) - _OPTIONAL
    if unknown:
        raise where.error(f"unknown key(s) {', '.join(sorted(unknown))}")
    for key in _REQUIRED:
        if key not in raw:
            raise where.error(f"missing required key {key!r}")
    if raw["category"] not in CATEGORIES:
        raise where.error(f"category must be one of {', '.join(CATEGORIES)}, not {raw['category']!r}")
    if raw["severity"] not in SEVERITIES:
        raise where.error(f"severity must be one of {', '.join(SEVERITIES)}, not {raw['severity']!r}")
    kind = raw.get("kind", "terms")
    if kind not in KINDS:
        raise where.error(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    satisfied = list(_strings(where, "satisfied_by", raw.get("satisfied_by", [])))
    line_local = kind == "terms"
    raw_patterns = raw.get("patterns", [])
    if not isinstance(raw_patterns, list):
        raise where.error("'patterns' must be a list")
    exempts = []
    # Exemptions are tried first: a hit in an exempt context is info even if it is also in a soft one.
    for key, severity in (("exempt", "info"), ("soften", "warning")):
        for entry in raw.get(key, []):
            if not isinstance(entry, dict) or set(entry) != {"pattern", "reason"}:
                raise where.error(f"each [[rules.{key}]] needs exactly 'pattern' and 'reason'")
            (pattern,) = _regexes(where, f"{key}.pattern", [entry["pattern"]], defines, line_local)
            exempts.append(Exempt(pattern, _text(where, f"{key}.reason", entry["reason"]), severity))
    rule = Rule(
        id=raw["id"],
        pack=pack,
        category=raw["category"],
        severity=raw["severity"],
        law=_text(where, "law", raw["law"]),
        article=_text(where, "article", raw["article"]),
        message=_text(where, "message", raw["message"]),
        suggestions=_strings(where, "suggestions", raw["suggestions"]),
        kind=kind,
        terms=_terms(where, "terms", raw.get("terms", [])),
        patterns=_regexes(where, "patterns", [_source(where, p) for p in raw_patterns], defines, line_local),
        pattern_needles=tuple(
            _needle(_requires(where, [p["requires"]], defines)) if isinstance(p, dict) else None
            for p in raw_patterns
        ),
        allow=_terms(where, "allow", raw.get("allow", [])),
        allow_patterns=_regexes(where, "allow_patterns", raw.get("allow_patterns", []), defines, line_local),
        exempts=tuple(exempts),
        triggers=_regexes(where, "triggers", raw.get("triggers", []), defines),
        satisfied_by=_regexes(
            where, "satisfied_by", [x for x in satisfied if not _literal(x, defines)], defines
        ),
        satisfied_words=_requires(where, [x for x in satisfied if _literal(x, defines)], defines),
        context=_regexes(where, "context", raw.get("context", []), defines),
        scope=raw.get("scope", "each"),
        detector=raw.get("detector"),
        requires=_requires(where, raw.get("requires", []), defines),
        defer=_flag(where, "defer", raw.get("defer", False)),
    )
    try:
        rule.allow_regex  # noqa: B018 - compiled now so that a bad combination fails at load
    except re.error as exc:
        raise where.error(f"'allow_patterns' cannot be combined: {exc}") from None
    if rule.scope not in ("each", "first"):
        raise where.error("scope must be 'each' or 'first'")
    if kind == "terms" and not (rule.terms or rule.patterns):
        raise where.error("a terms rule needs 'terms' or 'patterns'")
    if kind == "document" and not rule.triggers:
        raise where.error("a document rule needs 'triggers'")
    if kind == "detector" and rule.detector not in DETECTORS:
        raise where.error(f"detector must be one of {', '.join(DETECTORS)}")
    return rule


def parse_pack(path: Path, text: str | None = None) -> Pack:
    """Parse and validate one pack file; raises :class:`RulePackError` naming the file and rule."""
    where = _Where(path)
    try:
        data = tomllib.loads(text if text is not None else path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise where.error(f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise where.error(f"invalid TOML: {exc}") from None
    meta = data.get("pack")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise where.error("missing [pack] table with 'name'")
    version = meta.get("version")
    if not isinstance(version, str) or not version:
        raise where.error("[pack] needs a 'version' string")
    defines = data.get("defines", {})
    if not isinstance(defines, dict) or not all(isinstance(v, str) for v in defines.values()):
        raise where.error("[defines] must map names to strings")
    rules_raw = data.get("rules", [])
    if not isinstance(rules_raw, list):
        raise where.error("'rules' must be an array of tables ([[rules]])")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(rules_raw):
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(rule_id, str) or not rule_id:
            raise _Where(path, f"#{index + 1}").error("missing 'id'")
        rule_where = _Where(path, rule_id)
        if rule_id in seen:
            raise rule_where.error("duplicate rule id")
        seen.add(rule_id)
        rules.append(_rule(rule_where, meta["name"], raw, defines))
    return Pack(name=meta["name"], version=version, path=path, rules=tuple(rules))


def load_packs(names: Iterable[str] = COMPLIANCE_PACKS, directory: Path = PACK_DIR) -> tuple[Pack, ...]:
    return tuple(parse_pack(directory / f"{name}.toml") for name in names)


@cache
def default_packs() -> tuple[Pack, ...]:
    return load_packs()


def industry_names(directory: Path = INDUSTRY_DIR) -> tuple[str, ...]:
    """The industry packs that exist, by file stem (food, cosmetics, ...)."""
    return tuple(sorted(path.stem for path in directory.glob("*.toml")))


@cache
def industry_packs(names: tuple[str, ...] | None = None, directory: Path = INDUSTRY_DIR) -> tuple[Pack, ...]:
    """The named industry packs (all of them for ``None``), in name order; an unknown name raises
    :class:`RulePackError` listing the known ones."""
    known = industry_names(directory)
    wanted = known if names is None else tuple(sorted(set(names)))
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise RulePackError(
            f"unknown industry pack(s) {', '.join(unknown)}; known: {', '.join(known) or 'none'}"
        )
    return load_packs(wanted, directory)


def load_term_list(path: Path) -> tuple[str, tuple[str, ...]]:
    """A plain term list pack (``[pack] version`` + ``terms``), e.g. risk_terms.toml -> (version, terms)."""
    where = _Where(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise where.error(f"cannot load: {exc}") from None
    meta = data.get("pack", {})
    version = meta.get("version") if isinstance(meta, dict) else None
    if not isinstance(version, str):
        raise where.error("[pack] needs a 'version' string")
    return version, _strings(where, "terms", meta.get("terms", data.get("terms")))
