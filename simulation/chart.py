"""Chart the two policies' outcomes as an SVG, written by hand (no plotting library)."""

from __future__ import annotations

from html import escape

from simulation.outcomes import Outcomes

BARS = (
    ("self-served", "self_served", "victims"),
    ("answered ≤ 2 min", "answered_within_2_min", "calls"),
    ("abandoned", "abandoned", "calls"),
    ("called back", "callbacks_completed", "victims"),
    ("need met", "need_met", "victims"),
)
COLOURS = ("#1b6ca8", "#b5523b", "#6a8d3a", "#8a5fa8")


def svg(columns: dict[str, Outcomes], title: str) -> str:
    """Return grouped bars (one group per measure, one bar per policy) as an SVG document."""
    width, height, left, top, bottom = 760, 340, 60, 50, 60
    peak = max([getattr(o, key) for o in columns.values() for _, key, _ in BARS] + [1])
    group = (width - left - 20) / len(BARS)
    bar = group * 0.8 / len(columns)
    scale = (height - top - bottom) / peak
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<text x="{left}" y="24" font-size="15">{escape(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 20}" y2="{height - bottom}" '
        'stroke="#333"/>',
    ]
    for g, (label, key, unit) in enumerate(BARS):
        x0 = left + g * group + group * 0.1
        for p, (name, result) in enumerate(columns.items()):
            value = getattr(result, key)
            h, x = value * scale, x0 + p * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{bar - 2:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[p % len(COLOURS)]}">'
                f"<title>{escape(name)}: {value} {unit}</title></rect>"
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom - h - 4:.1f}" '
                f'text-anchor="middle" font-size="10">{value}</text>'
            )
        parts.append(
            f'<text x="{x0 + group * 0.4:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
            f"{escape(label)} ({unit})</text>"
        )
    for p, name in enumerate(columns):
        y = height - 18
        parts.append(
            f'<rect x="{left + p * 200}" y="{y - 10}" width="12" height="12" '
            f'fill="{COLOURS[p % len(COLOURS)]}"/>'
            f'<text x="{left + p * 200 + 18}" y="{y}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
