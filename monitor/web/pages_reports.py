"""Reports: per brand mention volume and negative share per day, top incidents, SLA compliance."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from monitor.storage.schema import incidents, mentions
from monitor.storage.times import as_utc_required, to_db
from monitor.web.charts import bar_chart
from monitor.web.templating import render

router = APIRouter()
TOP_INCIDENTS = 10


def daily_series(
    engine: Engine, *, since: datetime, days: int, zone: ZoneInfo
) -> dict[str, list[tuple[str, int, int]]]:
    """brand -> [(day, mentions, negative)] for each local day of the window (empty days included)."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    query = (
        select(mentions.c.brand, mentions.c.published_at, mentions.c.label)
        .where(mentions.c.published_at >= to_db(since))
    )
    with engine.connect() as conn:
        for brand, published, label in conn.execute(query):
            day = as_utc_required(published).astimezone(zone).strftime("%m-%d")
            cell = counts[brand][day]
            cell[0] += 1
            cell[1] += 1 if label == "negative" else 0
    start = since.astimezone(zone)
    labels = [(start + timedelta(days=i)).strftime("%m-%d") for i in range(days + 1)]
    return {
        brand: [(d, by_day[d][0], by_day[d][1]) if d in by_day else (d, 0, 0) for d in labels]
        for brand, by_day in sorted(counts.items())
    }


def top_incidents(engine: Engine, *, since: datetime) -> list[dict[str, Any]]:
    query = (
        select(incidents.c.id, incidents.c.brand, incidents.c.severity, incidents.c.state,
               incidents.c.title, incidents.c.reach, incidents.c.mention_count)
        .where(incidents.c.opened_at >= to_db(since))
        .order_by(incidents.c.severity, incidents.c.reach.desc(), func.coalesce(incidents.c.id, 0))
        .limit(TOP_INCIDENTS)
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def sla_by_brand(engine: Engine, *, since: datetime, now: datetime) -> dict[str, dict[str, Any]]:
    from alerts.sla import sla_report
    from monitor.incidents.queries import sla_inputs

    with engine.connect() as conn:
        items = sla_inputs(conn, since=since)
    grouped: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        grouped[item.brand].append(item)
    return {brand: sla_report(group, now=now) for brand, group in sorted(grouped.items())}


@router.get("/reports")
def reports_page(request: Request, days: Annotated[int, Query(ge=1, le=90)] = 14) -> Response:
    state = request.app.state.web
    now = state.now()
    zone = ZoneInfo(state.config.daemon.timezone)
    since = (now.astimezone(zone) - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    series = daily_series(state.engine, since=since, days=days, zone=zone)
    brands = []
    for brand, points in series.items():
        volume = [(d, float(n)) for d, n, _ in points]
        share = [(d, (neg / n) if n else 0.0) for d, n, neg in points]
        total = sum(n for _, n, _ in points)
        negative = sum(neg for _, _, neg in points)
        brands.append({
            "name": brand, "total": total, "negative_share": (negative / total) if total else 0.0,
            "volume_chart": bar_chart(volume, title=f"{brand} 每日声量"),
            "share_chart": bar_chart(share, title=f"{brand} 负面占比", max_value=1.0, color="#d43b3b",
                                     percent=True),
        })
    sla = sla_by_brand(state.engine, since=since, now=now)
    sla_chart = bar_chart(
        [(brand, r["share_in_time"] or 0.0) for brand, r in sla.items()],
        title="按时响应率 (SLA)", max_value=1.0, color="#2e9e5b", percent=True,
    )
    return render(request, "reports.html", {
        "days": days, "brands": brands, "top": top_incidents(state.engine, since=since), "sla": sla,
        "sla_chart": sla_chart,
    })
