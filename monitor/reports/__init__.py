"""Reports wing: the briefings a marketing team sends upward (日报 / 周报 / 月报).

It owns the period arithmetic in the display zone, the assembly of a brief from SQL aggregates
(``monitor.storage.brief_repo``, and the hourly rollups of ``monitor.storage.brief_rollup_repo`` kept
current by ``monitor.reports.rollup``), the brand-health index, rising keywords, coverage from blind windows,
rendering (Markdown, HTML with static SVG charts, JSON, XLSX with native Excel charts), exports of
mentions (CSV, XLSX) and the scheduled delivery of briefs through the outbox. Others use this face:
``build_brief``, ``render_brief``, ``BriefRequest``, ``enqueue_due_briefs``, ``export_mentions``.
"""

from monitor.reports.briefing import BriefRequest, build_brief
from monitor.reports.delivery import enqueue_due_briefs
from monitor.reports.mention_export import export_mentions
from monitor.reports.rendering import FORMATS, render_brief

__all__ = ["FORMATS", "BriefRequest", "build_brief", "enqueue_due_briefs", "export_mentions", "render_brief"]
