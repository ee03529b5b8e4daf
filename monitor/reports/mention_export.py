"""Export mentions (the console feed's filters) to CSV or XLSX.

CSV is UTF-8 with a byte-order mark: without it Excel on a Chinese Windows opens the file as GBK and
shows mojibake. Cells that start with = + - @ are prefixed with an apostrophe so a crawled title cannot
become a formula in the reader's spreadsheet (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from monitor.storage.mentions_repo import MentionRow

EXPORT_FORMATS = ("csv", "xlsx")
MAX_ROWS = 200_000
COLUMNS = (
    "id",
    "brand",
    "published_at",
    "source",
    "label",
    "p_negative",
    "title",
    "text",
    "url",
    "author",
    "followers",
    "likes",
    "reposts",
    "risk_terms",
    "incident_id",
)
HEADERS = (
    "编号",
    "品牌",
    "发布时间",
    "来源",
    "情感",
    "负面概率",
    "标题",
    "正文",
    "链接",
    "作者",
    "粉丝",
    "点赞",
    "转发",
    "风险词",
    "事件",
)


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_rows(rows: Sequence[MentionRow], source_names: dict[int, str], zone: ZoneInfo) -> list[list[Any]]:
    return [
        [
            r.id,
            r.brand,
            r.published_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            source_names.get(r.source_id, "") if r.source_id else "API",
            r.label or "",
            "" if r.p_negative is None else round(r.p_negative, 4),
            r.title,
            r.text,
            r.url or "",
            r.author or "",
            "" if r.followers is None else r.followers,
            "" if r.likes is None else r.likes,
            "" if r.reposts is None else r.reposts,
            " ".join(r.risk_terms),
            r.incident_id or "",
        ]
        for r in rows
    ]


def export_mentions(
    rows: Sequence[MentionRow], source_names: dict[int, str], zone: ZoneInfo, fmt: str
) -> bytes:
    table = export_rows(rows, source_names, zone)
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows([[_safe(v) for v in row] for row in table])
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        import xlsxwriter

        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(
            buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        ws = wb.add_worksheet("舆情")
        ws.write_row(0, 0, HEADERS, wb.add_format({"bold": True}))
        for i, row in enumerate(table, start=1):
            ws.write_row(i, 0, row)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(table), len(HEADERS) - 1)
        ws.set_column(6, 7, 40)
        wb.close()
        return buffer.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")
