"""Small server-rendered SVG charts: no JavaScript, readable without styles, numbers in tooltips.

Each chart takes the same rows as the CSV download, so what is drawn is exactly what can be downloaded.
"""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, HEIGHT, PAD = 640, 220, 36
COLOURS = {"negative": "#c0392b", "neutral": "#7f8c8d", "positive": "#27ae60", "value": "#2c6fbb"}


def _frame(body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>{body}</svg>'
    )


def bars(rows: list[dict[str, Any]], label: str, series: list[str], title: str) -> str:
    """Vertical (stacked when several series) bars, one per row."""
    if not rows:
        return _frame(f'<text x="{PAD}" y="{HEIGHT / 2}">No data yet</text>', title)
    top = max(sum(float(r.get(s) or 0) for s in series) for r in rows) or 1.0
    step = (WIDTH - 2 * PAD) / len(rows)
    parts = [f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>']
    for i, row in enumerate(rows):
        base = HEIGHT - PAD
        for name in series:
            value = float(row.get(name) or 0)
            height = (HEIGHT - 2 * PAD) * value / top
            colour = COLOURS.get(name, COLOURS["value"])
            parts.append(
                f'<rect x="{PAD + i * step + 2:.1f}" y="{base - height:.1f}" width="{max(step - 4, 1):.1f}" '
                f'height="{height:.1f}" fill="{colour}"><title>{escape(str(row[label]))} {escape(name)}: '
                f"{value:g}</title></rect>"
            )
            base -= height
        if len(rows) <= 16 or i % max(len(rows) // 8, 1) == 0:
            parts.append(
                f'<text x="{PAD + i * step + step / 2:.1f}" y="{HEIGHT - PAD + 14}" font-size="10" '
                f'text-anchor="middle">{escape(str(row[label])[-5:])}</text>'
            )
    parts.append(f'<text x="{PAD}" y="{PAD - 12}" font-size="11">max {top:g}</text>')
    return _frame("".join(parts), title)


def hbars(rows: list[dict[str, Any]], label: str, value: str, title: str) -> str:
    """Horizontal bars with labels, for rankings (top intents, segments)."""
    if not rows:
        return _frame(f'<text x="{PAD}" y="{HEIGHT / 2}">No data yet</text>', title)
    top = max(float(r[value]) for r in rows) or 1.0
    row_height = (HEIGHT - 2 * 8) / len(rows)
    parts = []
    for i, row in enumerate(rows):
        y = 8 + i * row_height
        width = (WIDTH - 220) * float(row[value]) / top
        parts.append(
            f'<text x="200" y="{y + row_height * 0.7:.1f}" font-size="11" text-anchor="end">'
            f"{escape(str(row[label]))}</text>"
            f'<rect x="210" y="{y + 1:.1f}" width="{width:.1f}" height="{max(row_height - 3, 1):.1f}" '
            f'fill="{COLOURS["value"]}"><title>{escape(str(row[label]))}: {float(row[value]):g}</title></rect>'
        )
    return _frame("".join(parts), title)
