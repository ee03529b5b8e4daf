"""Static SVG charts for e-mail and the downloadable HTML brief: no scripts, CJK-safe fonts, escaped text.

Mail clients run no JavaScript, so the e-mail carries these; the console draws the same data with
ECharts. Every chart has a <title> and per-mark <title> tooltips so its numbers stay readable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#3b6fd4", "#d43b3b", "#2e9e5b", "#e0a526", "#7a4fc4", "#1aa3a3", "#c45a9b", "#6b7a8f")
SENTIMENT_COLORS = {"positive": "#2e9e5b", "neutral": "#9aa5b1", "negative": "#d43b3b", "unscored": "#d9dde3"}
FONT = "font-family=\"'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif\""


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" {FONT} font-size="11">'
        f"<title>{escape(title)}</title>",
        f'<text x="8" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _axes(
    parts: list[str],
    *,
    left: int,
    top: int,
    plot_w: float,
    plot_h: float,
    top_value: float,
    labels: Sequence[str],
    percent: bool = False,
) -> None:
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        value = top_value * i / 4
        text = f"{value * 100:.0f}%" if percent else f"{value:g}"
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
        )
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{text}</text>')
    step = plot_w / max(len(labels), 1)
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            x = left + step * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle" fill="#555">'
                f"{escape(label)}</text>"
            )


def _legend(parts: list[str], names: Sequence[str], colors: Sequence[str], *, x: float, y: float) -> None:
    for i, (name, color) in enumerate(zip(names, colors, strict=False)):
        parts.append(f'<rect x="{x + i * 110:.0f}" y="{y - 9:.0f}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + i * 110 + 14:.0f}" y="{y:.0f}">{escape(name)}</text>')


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    width: int = 640,
    height: int = 240,
    dashed: Sequence[bool] = (),
) -> str:
    left, top, right, bottom = 44, 40, 12, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _, values in series for v in values), default=0))
    parts = _open(width, height, title)
    _legend(parts, [n for n, _ in series], PALETTE, x=left, y=32)
    _axes(parts, left=left, top=top, plot_w=plot_w, plot_h=plot_h, top_value=top_value, labels=labels)
    step = plot_w / max(len(labels), 1)
    for k, (name, values) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        points = [
            (left + step * (i + 0.5), top + plot_h - plot_h * v / top_value) for i, v in enumerate(values)
        ]
        dash = ' stroke-dasharray="5 4"' if k < len(dashed) and dashed[k] else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline class="series" data-series="{escape(name)}" points="{path}" fill="none" '
            f'stroke="{color}" stroke-width="2"{dash}/>'
        )
        for (x, y), v, label in zip(points, values, labels, strict=False):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}">'
                f"<title>{escape(name)} {escape(label)}: {v:g}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    title: str,
    width: int = 640,
    height: int = 240,
) -> str:
    """``series`` is (name, color, values); bars stack in the given order from the bottom."""
    left, top, right, bottom = 44, 40, 12, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    top_value = _nice_max(max(totals, default=0))
    parts = _open(width, height, title)
    _legend(parts, [s[0] for s in series], [s[1] for s in series], x=left, y=32)
    _axes(parts, left=left, top=top, plot_w=plot_w, plot_h=plot_h, top_value=top_value, labels=labels)
    step = plot_w / max(len(labels), 1)
    bar_w = step * 0.65
    for i, label in enumerate(labels):
        base = float(top + plot_h)
        for name, color, values in series:
            h = plot_h * values[i] / top_value
            if h <= 0:
                continue
            base -= h
            parts.append(
                f'<rect x="{left + step * i + (step - bar_w) / 2:.1f}" y="{base:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{color}"><title>{escape(label)} {escape(name)}: '
                f"{values[i]:g}</title></rect>"
            )
    parts.append("</svg>")
    return "".join(parts)


def pie_chart(items: Sequence[tuple[str, float]], *, title: str, width: int = 320, height: int = 240) -> str:
    parts = _open(width, height, title)
    total = sum(v for _, v in items)
    cx, cy, r = 90, 135, 80
    if total <= 0:
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="#eee"/><text x="{cx}" y="{cy}" '
            'text-anchor="middle">无数据</text></svg>'
        )
        return "".join(parts)
    angle = -math.pi / 2
    for k, (name, value) in enumerate(items):
        color = PALETTE[k % len(PALETTE)]
        share = value / total
        label = f"{escape(name)}: {share * 100:.1f}%"
        if share >= 0.9999:
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{color}"><title>{label}</title></circle>'
            )
        elif share > 0:
            end = angle + 2 * math.pi * share
            x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            x2, y2 = cx + r * math.cos(end), cy + r * math.sin(end)
            large = 1 if share > 0.5 else 0
            parts.append(
                f'<path d="M{cx},{cy} L{x1:.1f},{y1:.1f} A{r},{r} 0 {large} 1 {x2:.1f},{y2:.1f} Z" '
                f'fill="{color}" stroke="#fff"><title>{label}</title></path>'
            )
            angle = end
        parts.append(
            f'<rect x="185" y="{40 + k * 20}" width="10" height="10" fill="{color}"/>'
            f'<text x="200" y="{49 + k * 20}">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_list(
    items: Sequence[tuple[str, float]], *, title: str, width: int = 320, color: str = "#3b6fd4"
) -> str:
    """Horizontal bars, one per item (platforms, sources)."""
    height = 30 + 22 * max(len(items), 1)
    parts = _open(width, height, title)
    top_value = max((v for _, v in items), default=0) or 1
    for i, (name, value) in enumerate(items):
        y = 28 + i * 22
        w = (width - 150) * value / top_value
        parts.append(
            f'<text x="76" y="{y + 12}" text-anchor="end">{escape(name[:10])}</text>'
            f'<rect x="80" y="{y}" width="{w:.1f}" height="15" fill="{color}"><title>{escape(name)}: '
            f'{value:g}</title></rect><text x="{84 + w:.1f}" y="{y + 12}">{value:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
