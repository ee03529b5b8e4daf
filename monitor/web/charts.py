"""Tiny server-rendered SVG charts (no scripts, no CDN): the console must work offline."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup


def bar_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    max_value: float | None = None,
    width: int = 560,
    height: int = 160,
    color: str = "#3b6fd4",
    percent: bool = False,
) -> Markup:
    """Vertical bars with the label under every few bars and the value in a tooltip."""
    pad_left, pad_bottom, pad_top = 36, 22, 8
    plot_w, plot_h = width - pad_left - 4, height - pad_bottom - pad_top
    top = max_value if max_value is not None else max((v for _, v in points), default=0.0)
    top = top or 1.0
    n = max(len(points), 1)
    step = plot_w / n
    bar_w = max(step * 0.7, 1.0)
    label_every = max(1, n // 7)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - 4}" y2="{pad_top + plot_h}" '
        'stroke="#999"/>',
        f'<text x="{pad_left - 4}" y="{pad_top + 8}" text-anchor="end" font-size="10">'
        f"{_fmt(top, percent)}</text>",
        f'<text x="{pad_left - 4}" y="{pad_top + plot_h}" text-anchor="end" font-size="10">0</text>',
    ]
    for i, (label, value) in enumerate(points):
        h = plot_h * min(value / top, 1.0)
        x = pad_left + i * step + (step - bar_w) / 2
        y = pad_top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{escape(label)}: {_fmt(value, percent)}</title></rect>"
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="10">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _fmt(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:g}"
