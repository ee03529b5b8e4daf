"""Assemble a brief: SQL aggregates in (``monitor.storage.brief_repo``), one JSON-ready dict out.

Every section is compared with the period before. The dict is the contract of ``--format json`` and of
``GET /api/v1/reports/brief`` (``version`` 1); the renderers only format it.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from alerts.sla import sla_report
from monitor.errors import UsageError
from monitor.reports.aggregates import raw_aggregates, rolled_aggregates
from monitor.reports.blind_time import blind_seconds, coverage_share
from monitor.reports.health import FORMULA, health_index
from monitor.reports.keyword_cache import lookup as cached_keywords
from monitor.reports.keyword_cache import store as remember_keywords
from monitor.reports.keywords import rising_terms
from monitor.reports.periods import Window, brief_window
from monitor.storage import brief_repo as repo
from monitor.storage.brief_sample_repo import text_sample
from monitor.storage.transactions import read_transaction

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from monitor.config import Config

LABELS = ("positive", "neutral", "negative")
_KEYWORD_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="brief-keywords")
KEYWORD_SAMPLE = 1000  # texts per period for jieba: enough for the terms that matter, ~0.1 s to cut


@dataclass(frozen=True)
class BriefRequest:
    period: str = "week"
    brands: tuple[str, ...] = ()  # empty: every brand not marked as a competitor
    since: date | None = None
    until: date | None = None
    keywords: bool = True
    rollup: bool = True  # False: count from the mention rows (the reference the rollup is tested against)


def subject_brands(config: Config, wanted: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the brief's brands, their competitors); an unknown brand is a usage error naming the known ones."""
    known = {b.name: b.role for b in config.brands}
    for name in wanted:
        if name not in known:
            raise UsageError(
                f"--brand: unknown brand {name!r} (configured: {', '.join(sorted(known)) or 'none'})"
            )
    subjects = list(wanted) or [n for n, role in known.items() if role != "competitor"]
    if not subjects:
        raise UsageError("no brand to report on: add [[brands]] to brandguard.toml")
    competitors = [n for n, role in known.items() if role == "competitor" and n not in subjects]
    return subjects, competitors


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or not before:
        return None
    return (now - before) / before


def _iso_local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).isoformat(timespec="minutes")


def build_brief(
    conn: Connection, config: Config, request: BriefRequest, *, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    subjects, competitors = subject_brands(config, request.brands)
    window = brief_window(request.period, now=now, zone=zone, since=request.since, until=request.until)
    group = subjects + competitors
    n_prev, n_cur = len(window.previous_days), len(window.days)
    counted = (rolled_aggregates(conn, subjects, group, window) if request.rollup else None) or (
        raw_aggregates(conn, subjects, group, window)
    )
    per_label: dict[str | None, list[int]] = {label: [0] * (n_prev + n_cur) for label in (*LABELS, None)}
    volume_days = [0] * (n_prev + n_cur)
    for _brand, bucket, label, count in counted.cells:
        per_label[label if label in LABELS else None][bucket] += count
        volume_days[bucket] += count
    cur_total, prev_total = sum(volume_days[n_prev:]), sum(volume_days[:n_prev])
    totals = {b: [0, 0] for b in group}  # brand -> [previous, current]
    for brand, current, count in counted.totals:
        totals[brand][int(current)] += count
    # On PostgreSQL the keywords (two text samples and jieba) run on their own connection while this one
    # reads stories and authors: the server works in its own process while Python tokenises (1M
    # mentions: 1.49 s -> 1.07 s before the rollups). On SQLite the queries run in this process and only
    # fight over the GIL, so they stay inline there. A closed period's keywords are cached while its
    # counts stay the same (monitor.reports.keyword_cache).
    pending_keywords: Any = None
    if request.keywords:
        signature = (tuple(volume_days), tuple(tuple(v) for v in per_label.values()))
        subject_counts = {b: totals[b] for b in subjects}
        cached = cached_keywords(conn.engine, subjects, group, window, signature, now)
        if cached is not None:
            pending_keywords = _Done(cached)
        elif conn.dialect.name == "postgresql":
            pending_keywords = _KEYWORD_POOL.submit(_keywords, conn.engine, subject_counts, group, window)
        else:
            pending_keywords = _Done(_keywords_on(conn, subject_counts, group, window))

    def label_total(label: str | None, current: bool) -> int:
        series = per_label[label]
        return sum(series[n_prev:]) if current else sum(series[:n_prev])

    def negative_share(current: bool) -> float | None:
        total = cur_total if current else prev_total
        return label_total("negative", current) / total if total else None

    sov = _share_of_voice(totals, competitors)
    subject_share = sum(s["share"] or 0.0 for s in sov if s["brand"] in subjects) if cur_total else None
    prev_subject_share = (
        sum(s["previous_share"] or 0.0 for s in sov if s["brand"] in subjects) if prev_total else None
    )
    top_share = max((s["share"] or 0.0 for s in sov if s["brand"] in competitors), default=0.0)
    prev_top_share = max((s["previous_share"] or 0.0 for s in sov if s["brand"] in competitors), default=0.0)

    incident_rows = repo.incident_times(conn, subjects, window.start, window.end)
    sla = sla_report([t for _, t in incident_rows], now=now)
    prev_sla = sla_report(
        [t for _, t in repo.incident_times(conn, subjects, window.previous_start, window.start)], now=now
    )

    def health(current: bool, sla_figures: dict[str, Any], share: float | None, top: float) -> Any:
        scored = sum(label_total(label, current) for label in LABELS)
        return health_index(
            positive=label_total("positive", current),
            negative=label_total("negative", current),
            scored=scored,
            in_time=sla_figures["answered_in_time"],
            due=sla_figures["decided"],
            share=share,
            # voice is relative to the leader of the group, the brand itself included
            top_share=max(top, share or 0.0) if competitors else None,
        )

    now_health = health(True, sla, subject_share, top_share)
    before_health = health(False, prev_sla, prev_subject_share, prev_top_share) if prev_total else None

    keywords = pending_keywords.result() if pending_keywords is not None else []
    if request.keywords:
        remember_keywords(conn.engine, subjects, group, window, signature, now, keywords)
    return {
        "version": 1,
        "period": request.period,
        "brands": subjects,
        "competitors": competitors,
        "timezone": zone.key,
        "generated_at": _iso_local(now, zone),
        "window": {
            "label": window.label,
            "start": _iso_local(window.start, zone),
            "end": _iso_local(window.end, zone),
            "previous_start": _iso_local(window.previous_start, zone),
        },
        "days": [d.isoformat() for d in window.days],
        "previous_days": [d.isoformat() for d in window.previous_days],
        "volume": {
            "total": cur_total,
            "previous": prev_total,
            "change": _change(cur_total, prev_total),
            "by_day": volume_days[n_prev:],
            "previous_by_day": volume_days[:n_prev],
        },
        "sentiment": {
            "by_day": {(label or "unscored"): series[n_prev:] for label, series in per_label.items()},
            "totals": {(label or "unscored"): label_total(label, True) for label in per_label},
            "previous_totals": {(label or "unscored"): label_total(label, False) for label in per_label},
            "negative_share": negative_share(True),
            "previous_negative_share": negative_share(False),
        },
        "share_of_voice": sov,
        "stories": [_story(s, zone) for s in counted.stories],
        "platforms": [{"platform": p, "mentions": n, "negative": neg} for p, n, neg in counted.platforms],
        "sources": [{"source": s, "mentions": n, "negative": neg} for s, n, neg in counted.sources],
        "authors": [a.__dict__ for a in counted.authors],
        "keywords": keywords,
        "incidents": {
            "items": [_incident(item, t, zone, now) for item, t in incident_rows[:20]],
            "sla": sla,
            "previous_sla": prev_sla,
        },
        "coverage": _coverage(conn, subjects, window, now, zone),
        "health": {
            # No mention, no health: a 75 computed from defaults would read as a real figure.
            "score": now_health.score if cur_total else None,
            "previous": before_health.score if before_health else None,
            "formula": FORMULA,
            "explained": now_health.explained if cur_total else "本期无提及，不计算",
            "components": {
                "sentiment": now_health.sentiment,
                "response": now_health.response,
                "voice": now_health.voice,
            },
        },
    }


@dataclass(frozen=True)
class _Done:
    value: list[dict[str, Any]]

    def result(self) -> list[dict[str, Any]]:
        return self.value


Counts = dict[str, list[int]]  # subject brand -> [mentions in the previous period, in this one]


def _keywords(engine: Engine, counts: Counts, group: list[str], window: Window) -> list[dict[str, Any]]:
    with read_transaction(engine) as own:
        return _keywords_on(own, counts, group, window)


def _keywords_on(conn: Connection, counts: Counts, group: list[str], window: Window) -> list[dict[str, Any]]:
    current = text_sample(
        conn, {b: n[1] for b, n in counts.items()}, window.start, window.end, cap=KEYWORD_SAMPLE
    )
    previous = text_sample(
        conn, {b: n[0] for b, n in counts.items()}, window.previous_start, window.start, cap=KEYWORD_SAMPLE
    )
    return [t.__dict__ for t in rising_terms(current, previous, exclude=group)]


def _share_of_voice(totals: dict[str, list[int]], competitors: list[str]) -> list[dict[str, Any]]:
    prev = {b: v[0] for b, v in totals.items()}
    cur = {b: v[1] for b, v in totals.items()}
    cur_all, prev_all = sum(cur.values()), sum(prev.values())
    return [
        {
            "brand": b,
            "role": "competitor" if b in competitors else "own",
            "mentions": cur[b],
            "previous": prev[b],
            "share": cur[b] / cur_all if cur_all else None,
            "previous_share": prev[b] / prev_all if prev_all else None,
        }
        for b in sorted(totals, key=lambda name: (-cur[name], name))
    ]


def _story(s: repo.StoryRow, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "title": s.title,
        "url": s.url,
        "brand": s.brand,
        "story_key": s.story_key,
        "mentions": s.mentions,
        "negative": s.negative,
        "reach": s.reach,
        "likes": s.likes,
        "reposts": s.reposts,
        "velocity_24h": s.recent,
        "first_at": _iso_local(s.first_at, zone),
        "heat": round(s.mentions + s.reposts / 10 + s.likes / 100 + s.reach / 10000, 1),
    }


def _incident(item: dict[str, Any], t: Any, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    answered = t.responded_at
    return {
        **item,
        "opened_at": _iso_local(t.opened_at, zone),
        "respond_by": _iso_local(t.respond_by, zone),
        "responded_at": _iso_local(answered, zone) if answered else None,
        "in_time": (answered <= t.respond_by) if answered else (None if now < t.respond_by else False),
        "response_minutes": round((answered - t.opened_at).total_seconds() / 60) if answered else None,
    }


def _coverage(
    conn: Connection, subjects: list[str], window: Window, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    src = repo.sources_of(conn, subjects)
    names = {sid: name for sid, name, _ in src}
    outages = repo.outages_between(conn, list(names), window.start, window.end)
    blind = blind_seconds(outages, window.start, window.end, now)
    return {
        "share": coverage_share(len(src), blind, window.start, window.end),
        "sources": len(src),
        "blind_hours": round(sum(blind.values()) / 3600, 1),
        "blind_windows": [
            {
                "source": names[sid],
                "state": state,
                "reason": reason,
                "start": _iso_local(began, zone),
                "end": _iso_local(ended, zone) if ended else None,
            }
            for sid, state, reason, began, ended in outages
        ],
    }
