"""Small bar charts as inline SVG: no script, no external file, readable without colour.

A day whose count is suppressed ("<5", "x") gets no bar but a mark on the axis, so the
chart shows no more than the table beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


def bar_chart(
    title: str, days: Sequence[dt.date], values: Sequence[int | str], width: int = 720, height: int = 200
) -> Markup:
    """An SVG bar per day; strings (suppressed counts) are marked, never drawn as a height."""
    numbers = [v for v in values if isinstance(v, int)]
    top = max(numbers, default=0) or 1
    left, bottom, plot_h = 36, 20, height - 40
    step = (width - left - 4) / max(len(values), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 2}" y2="{height - bottom}"'
        ' stroke="#4a4a4a"/>',
        f'<text x="2" y="{height - bottom - plot_h + 10}" font-size="11" fill="#1b1b1b">{top}</text>',
        f'<text x="2" y="{height - bottom}" font-size="11" fill="#1b1b1b">0</text>',
    ]
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        x = left + i * step
        label = f"{day.isoformat()}: {value}"
        # A suppressed count is a thin grey mark on the axis, not a height.
        h, colour = (plot_h * value / top, "#0b4f8a") if isinstance(value, int) else (3.0, "#8a8a8a")
        parts.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{height - bottom - h:.1f}" width="{max(step * 0.8, 1):.1f}"'
            f' height="{h:.1f}" fill="{colour}"><title>{escape(label)}</title></rect>'
        )
    if days:
        parts.append(
            f'<text x="{left}" y="{height - 4}" font-size="11" fill="#1b1b1b">{days[0].isoformat()}</text>'
        )
        parts.append(
            f'<text x="{width - 4}" y="{height - 4}" font-size="11" fill="#1b1b1b" text-anchor="end">'
            f"{days[-1].isoformat()}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
