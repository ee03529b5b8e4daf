"""/metrics figures of the incident side that need the configuration: per-channel delivery health and
whether the PRC holiday calendar covers the current and next year. Registered by ``metrics.render_metrics``
when it is given the configuration."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy.engine import Engine

from monitor.incidents.calendar_status import calendar_missing_years
from monitor.storage.channel_health_repo import health_rows

if TYPE_CHECKING:
    from monitor.config import Config


class IncidentOpsCollector:
    def __init__(self, engine: Engine, config: Config, now: datetime) -> None:
        self.engine, self.config, self.now = engine, config, now

    def collect(self) -> Iterator[Metric]:
        sends = CounterMetricFamily(
            "brandguard_channel_sends",
            "Sends per channel: ok = the platform's success code, failed = anything else",
            labels=["channel", "outcome"],
        )
        healthy = GaugeMetricFamily(
            "brandguard_channel_healthy",
            "1 when the channel's last send succeeded and it is enabled",
            labels=["channel"],
        )
        with self.engine.connect() as conn:
            rows = {r["name"]: r for r in health_rows(conn)}
        for channel in self.config.channels:
            row = rows.get(channel.name)
            ok = int(row["ok_count"] or 0) if row else 0
            failed = int(row["fail_count"] or 0) if row else 0
            sends.add_metric([channel.name, "ok"], ok)
            sends.add_metric([channel.name, "failed"], failed)
            good = True
            if row is not None:
                last_fail, last_ok = row["last_fail_at"], row["last_ok_at"]
                good = row["disabled_at"] is None and (
                    last_fail is None or (last_ok is not None and last_ok > last_fail)
                )
            healthy.add_metric([channel.name], 1.0 if good else 0.0)
        missing = GaugeMetricFamily(
            "brandguard_calendar_year_missing",
            "1 for the current or next year when no PRC holiday data exists (deadlines fall back to Mon-Fri)",
            labels=["year"],
        )
        years = calendar_missing_years(self.config, self.now)
        for year in years:
            missing.add_metric([str(year)], 1.0)
        yield from (sends, healthy, missing)
