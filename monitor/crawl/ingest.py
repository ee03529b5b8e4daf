"""Mentions pushed by a data vendor or the team's own crawler: validated, matched, de-duplicated, scored and
stored like crawled ones (the crawl's own match / score / insert steps), idempotent per platform + id.

Each row is checked on its own: a bad row becomes one ``RowError`` (its number and what is wrong) and the
others go on. Rows are handled in batches, one transaction each, so a 10,000-row import neither holds one
huge transaction nor pays a commit per row; a retry of the same rows stores nothing twice because the key
is derived from ``platform`` + ``id`` only (``ingest:<platform>:<id>``), never from URL or text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from monitor.parse.document import ParsedItem

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from monitor.config import Config
    from monitor.crawl.pipeline import Score

BATCH = 2_000
MAX_TEXT = 200_000
_COUNTS = ("followers", "reposts", "comments", "likes")
_FIELDS = frozenset({"platform", "id", "text", "title", "url", "author", "published_at", "brand", *_COUNTS})


class RowError(ValueError):
    """One bad row: ``row`` is 1-based (a JSONL line number, or a list index + 1)."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(f"row {row}: {message}")
        self.row = row
        self.message = message


@dataclass(frozen=True)
class IngestRow:
    row: int
    platform: str
    id: str
    title: str
    text: str
    url: str | None
    author: str | None
    published_at: datetime
    followers: int | None = None
    reposts: int | None = None
    comments: int | None = None
    likes: int | None = None
    brand: str | None = None

    @property
    def key(self) -> str:
        return f"ingest:{self.platform}:{self.id}"


@dataclass
class IngestReport:
    received: int = 0
    matched: int = 0
    stored: int = 0
    duplicates: int = 0
    unmatched: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "matched": self.matched,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "unmatched": self.unmatched,
            "rejected": len(self.errors),
            "errors": [{"row": e.row, "error": e.message} for e in self.errors],
        }


def parse_row(data: object, row: int, *, tz: ZoneInfo, brands: frozenset[str]) -> IngestRow:
    """Validate one row; raises RowError naming the field."""
    if not isinstance(data, Mapping):
        raise RowError(row, f"expected a JSON object (got {type(data).__name__})")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise RowError(row, f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(_FIELDS))})")
    platform = _text(data, "platform", row, required=True, limit=32)
    ident = data.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or not str(ident).strip():
        raise RowError(row, f"id: must be the platform's post id, a string or integer (got {ident!r})")
    title = _text(data, "title", row, limit=2000) or ""
    text = _text(data, "text", row, limit=MAX_TEXT) or ""
    if not title.strip() and not text.strip():
        raise RowError(row, "a mention needs a text or a title")
    url = _text(data, "url", row, limit=4000)
    if url is not None and not url.startswith(("http://", "https://")):
        raise RowError(row, f"url: must start with http:// or https:// (got {url[:60]!r})")
    brand = _text(data, "brand", row, limit=200)
    if brand is not None and brands and brand not in brands:
        raise RowError(row, f"brand: {brand!r} is not configured ({', '.join(sorted(brands))})")
    counts = {name: _count(data, name, row) for name in _COUNTS}
    return IngestRow(
        row=row,
        platform=str(platform),
        id=str(ident).strip()[:200],
        title=title,
        text=text,
        url=url,
        author=_text(data, "author", row, limit=500),
        published_at=_published(data.get("published_at"), row, tz),
        brand=brand,
        **counts,
    )


def _text(data: Mapping[str, Any], name: str, row: int, *, required: bool = False, limit: int) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise RowError(row, f"{name}: required")
        return None
    if not isinstance(value, str):
        raise RowError(row, f"{name}: must be a string (got {type(value).__name__})")
    if len(value) > limit:
        raise RowError(row, f"{name}: longer than {limit} characters")
    if required and not value.strip():
        raise RowError(row, f"{name}: must not be empty")
    return value


def _count(data: Mapping[str, Any], name: str, row: int) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**62:
        raise RowError(row, f"{name}: must be a non-negative integer (got {value!r})")
    return value


def _published(value: object, row: int, tz: ZoneInfo) -> datetime:
    if isinstance(value, bool) or value is None:
        raise RowError(row, "published_at: required (ISO 8601, e.g. 2026-11-20T14:05:00+08:00)")
    if isinstance(value, int | float):
        if not 946_684_800 <= value < 4_102_444_800:  # 2000..2100: milliseconds or junk otherwise
            raise RowError(row, f"published_at: epoch seconds out of range (got {value!r})")
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str):
        raise RowError(row, f"published_at: must be an ISO 8601 string (got {type(value).__name__})")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RowError(row, f"published_at: not an ISO 8601 time (got {value[:40]!r})") from None
    if moment.tzinfo is None:  # vendors in China send local time without an offset
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


@dataclass
class Ingestor:
    """Stores pushed mentions with the crawl's steps. ``scorer`` is loaded once (the model is big)."""

    engine: Engine
    config: Config
    scorer: Callable[[Sequence[str]], Sequence[Score]]
    actor: str = "ingest"

    def __post_init__(self) -> None:
        from monitor.matching.matcher import BrandMatcher

        self._matcher = BrandMatcher(self.config.brands)
        self._tz = ZoneInfo(self.config.daemon.timezone)
        self._brands = frozenset(b.name for b in self.config.brands)

    def parse(self, data: object, row: int) -> IngestRow:
        return parse_row(data, row, tz=self._tz, brands=self._brands)

    def ingest_objects(self, objects: Iterable[tuple[int, object]], now: datetime) -> IngestReport:
        """Validate and store (row number, object) pairs; bad rows are reported, the rest stored."""
        report = IngestReport()
        batch: list[IngestRow] = []
        for number, obj in objects:
            report.received += 1
            try:
                batch.append(self.parse(obj, number))
            except RowError as exc:
                report.errors.append(exc)
                continue
            if len(batch) >= BATCH:
                self.store(batch, now, report)
                batch = []
        if batch:
            self.store(batch, now, report)
        return report

    def store(self, rows: Sequence[IngestRow], now: datetime, report: IngestReport) -> None:
        from monitor import audit
        from monitor.crawl.pipeline import DueSource, mention_values
        from monitor.crawl.steps import match_items
        from monitor.matching.dedup import stable_key
        from monitor.storage.mentions_repo import existing_dedup_keys, insert_mentions_bulk

        unique: dict[str, IngestRow] = {}
        for r in rows:  # the same post twice in one batch: the last copy has the freshest counts
            unique[r.key] = r
        report.duplicates += len(rows) - len(unique)
        rows = list(unique.values())
        items = [_item(r) for r in rows]
        keys = [stable_key(r.key, None, None, None) for r in rows]
        by_key = dict(zip(keys, rows, strict=True))
        source = DueSource(0, "ingest", "ingest", "", 0, self.config.daemon.timezone, ())
        with self.engine.begin() as conn:
            before = existing_dedup_keys(conn, keys)
            candidates = match_items(self._matcher, source, items, conn, now, keys=keys)
            candidates = [c for c in candidates if by_key[c.dedup_key].brand in (None, c.brand)]
            if candidates:
                scores = self.scorer([f"{c.title}\n{c.text}".strip() for c in candidates])
                candidates = [
                    replace(c, label=s.label, p_negative=s.p_negative, risk_terms=s.risk_terms)
                    for c, s in zip(candidates, scores, strict=True)
                ]
            # Oldest first, so mention ids follow publication (the alert policy works in id order).
            ordered = sorted(candidates, key=lambda c: (c.published_at, c.brand, c.dedup_key))
            values = [
                {**mention_values(c, source, now, baseline=False), "source_id": None}  # pushed: no source row
                for c in ordered
            ]
            new_pairs = insert_mentions_bulk(conn, values)
            stored_keys = {key for _, key in new_pairs}
            report.stored += len(new_pairs)
            if stored_keys:
                audit.append(
                    conn,
                    actor=self.actor,
                    kind="mention.ingest",
                    subject=f"{len(stored_keys)} post(s)",
                    data={"stored": len(new_pairs), "platforms": sorted({r.platform for r in rows})},
                    now=now,
                )
        matched = {c.dedup_key for c in candidates}
        for key in keys:
            if key in matched or key in stored_keys:
                report.matched += 1
            elif key in before:
                report.duplicates += 1  # stored by an earlier push (a retry): nothing new
            else:
                report.unmatched += 1


def _item(row: IngestRow) -> ParsedItem:
    return ParsedItem(
        guid=row.key,
        link=row.url,
        title=row.title,
        text=row.text,
        author=row.author,
        published_at=row.published_at,
        published_estimated=False,
        followers=row.followers,
        likes=row.likes,
        reposts=row.reposts,
        comments=row.comments,
    )


def jsonl_objects(lines: Iterable[str], errors: list[RowError]) -> Iterator[tuple[int, object]]:
    """(line number, decoded object) for each non-blank line; undecodable lines go to ``errors``."""
    import json

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(RowError(number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
