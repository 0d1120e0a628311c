"""Server-side SVG for the PDF fact sheet: stacked bars and the case split.

The charts draw the shares the aggregation module gives and nothing else; a
bar that rests on a hidden figure is not drawn (`ItemSummary.chart_drawn`).
Colours are ColorBrewer's "Blues", which stay distinct for colour-blind
readers and in grey print; the darker segments carry white labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from meldcode_survey.dashboard.queries import ItemSummary, Share

PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
DARK = {"#3182bd", "#08519c"}  # colours that need white text
MIN_LABELLED = 0.07  # narrower segments carry no percentage
SPLIT_COLOURS = ("#08519c", "#bdd7e7")


def scale_colours(n: int) -> list[str]:
    """n colours spread over the palette, light to dark."""
    if n <= 1:
        return list(PALETTE[-1:]) * n
    last = len(PALETTE) - 1
    return [PALETTE[round(i * last / (n - 1))] for i in range(n)]


def _percent(value: float) -> str:
    return f"{round(100 * value)}%"


def stacked_bar(item: ItemSummary) -> SafeString:
    """One horizontal bar: the share of each scored point of the valid answers."""
    shares = [p.share.value or 0.0 for p in item.points]
    colours = scale_colours(len(shares))
    parts, x = [], 0.0
    for share, colour in zip(shares, colours, strict=True):
        width = 100 * share
        if width <= 0:
            continue
        parts.append(
            format_html(
                '<rect x="{}" y="0" width="{}" height="10" fill="{}"/>',
                f"{x:.3f}",
                f"{width:.3f}",
                colour,
            )
        )
        if share >= MIN_LABELLED:
            parts.append(
                format_html(
                    '<text x="{}" y="6.8" font-size="4.2" text-anchor="middle" '
                    'fill="{}">{}</text>',
                    f"{x + width / 2:.3f}",
                    "#ffffff" if colour in DARK else "#1a1a1a",
                    _percent(share),
                )
            )
        x += width
    return format_html(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        item.text,
        mark_safe("".join(parts)),  # noqa: S308 - built with format_html above
    )


def legend_colours(labels: Sequence[str]) -> list[tuple[str, str]]:
    return list(zip(labels, scale_colours(len(labels)), strict=True))


def split_pie(with_share: Share, without_share: Share, label: str) -> SafeString:
    """A pie of the cases with and without dilemma; empty when hidden."""
    if with_share.value is None or without_share.value is None:
        return mark_safe("")
    total = with_share.value + without_share.value
    if total <= 0:
        return mark_safe("")
    first = with_share.value / total
    slices = [(first, SPLIT_COLOURS[0]), (1 - first, SPLIT_COLOURS[1])]
    parts, start = [], -math.pi / 2
    for share, colour in slices:
        if share >= 0.9999:
            parts.append(
                format_html('<circle cx="50" cy="50" r="48" fill="{}"/>', colour)
            )
            break
        if share <= 0:
            continue
        end = start + 2 * math.pi * share
        large = 1 if share > 0.5 else 0
        parts.append(
            format_html(
                '<path d="M50,50 L{},{} A48,48 0 {} 1 {},{} Z" fill="{}"/>',
                f"{50 + 48 * math.cos(start):.3f}",
                f"{50 + 48 * math.sin(start):.3f}",
                large,
                f"{50 + 48 * math.cos(end):.3f}",
                f"{50 + 48 * math.sin(end):.3f}",
                colour,
            )
        )
        start = end
    return format_html(
        '<svg class="pie" viewBox="0 0 100 100" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        escape(label),
        mark_safe("".join(parts)),  # noqa: S308 - built with format_html above
    )
