"""A small server-rendered SVG bar chart of daily counts (no script, no CDN)."""

from __future__ import annotations

from html import escape

from hrw_sms.store.usage import Day

WIDTH, HEIGHT = 360, 120


def svg(days: list[Day], names: dict[str, str], field: str = "texts_received") -> str:
    """One bar per day for `field`; the numbers are beside the chart in the page's table."""
    values = [d.counts.get(field, 0) for d in days]
    top = max(values, default=0) or 1
    step = WIDTH / max(len(values), 1)
    bars = []
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        h = round(value / top * (HEIGHT - 20), 1)
        bars.append(
            f'<rect x="{i * step:.1f}" y="{HEIGHT - h:.1f}" width="{max(step - 1, 1):.1f}" '
            f'height="{h}"><title>{day.day.isoformat()}: {value}</title></rect>'
        )
    label = escape(names.get(field, field))
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{label} per day, last {len(days)} days, highest {top}">'
        + "".join(bars)
        + "</svg>"
    )
