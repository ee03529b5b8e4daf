"""Reports: per brand mention volume and negative share per day, top incidents, SLA compliance."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine

from monitor.storage import reports_repo
from monitor.web.charts import bar_chart
from monitor.web.templating import render

router = APIRouter()
TOP_INCIDENTS = 10


def daily_series(
    engine: Engine, *, since: datetime, days: int, zone: ZoneInfo
) -> dict[str, list[tuple[str, int, int]]]:
    """brand -> [(day, mentions, negative)] for each local day of the window (empty days included).

    ``since`` is a local midnight; the database counts per day between local midnights (GROUP BY).
    """
    start = since.astimezone(zone)
    # Wall-clock arithmetic on an aware datetime: each step is one local day, 23 or 25 hours over DST.
    day_starts = [start + timedelta(days=i) for i in range(days + 2)]
    labels = [moment.strftime("%m-%d") for moment in day_starts[:-1]]
    counts: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    with engine.connect() as conn:
        for row in reports_repo.daily_mention_counts(conn, day_starts):
            by_day = counts[row.brand]  # a brand with rows only after the window still gets a (zero) series
            if row.day is not None:
                by_day[row.day] = (row.mentions, row.negative)
    return {
        brand: [(label, *by_day.get(i, (0, 0))) for i, label in enumerate(labels)]
        for brand, by_day in sorted(counts.items())
    }


def top_incidents(engine: Engine, *, since: datetime) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return reports_repo.top_incidents(conn, since=since, limit=TOP_INCIDENTS)


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
        brands.append(
            {
                "name": brand,
                "total": total,
                "negative_share": (negative / total) if total else 0.0,
                "volume_chart": bar_chart(volume, title=f"{brand} 每日声量"),
                "share_chart": bar_chart(
                    share, title=f"{brand} 负面占比", max_value=1.0, color="#d43b3b", percent=True
                ),
            }
        )
    sla = sla_by_brand(state.engine, since=since, now=now)
    sla_chart = bar_chart(
        [(brand, r["share_in_time"] or 0.0) for brand, r in sla.items()],
        title="按时响应率 (SLA)",
        max_value=1.0,
        color="#2e9e5b",
        percent=True,
    )
    return render(
        request,
        "reports.html",
        {
            "days": days,
            "brands": brands,
            "top": top_incidents(state.engine, since=since),
            "sla": sla,
            "sla_chart": sla_chart,
        },
    )
