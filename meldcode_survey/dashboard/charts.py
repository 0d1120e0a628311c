"""The charts of the dashboard and the PDF fact sheet: one engine, one palette.

Two charts, as in the published fact sheet:

* the dilemma chart: per item a 100% stacked bar of the valid answers per
  scale point, lowest point on the left;
* the case split: a pie of the cases with and without a dilemma.

This module computes what to draw (positions in percent, colours, labels and
the figures in words for screen readers and the PDF's alternative text); the
templates charts/_stacked_bars.html and charts/_split_pie.html draw it as
inline SVG for both outputs. A bar's coordinates are percentages of its
width and its text has a fixed size, so labels stay readable from a 390 px
phone to an A4 page. A bar whose shares are not given ("x") is not drawn.

Colours are ColorBrewer's sequential "Blues" (5 classes), which stay in order
for colour-blind readers and in grey print; the darker segments carry white
text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import formatting
from .queries import ItemSummary, ScaleLabel, SectorFigures

PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
TEXT_ON = ("#1a1a1a", "#1a1a1a", "#1a1a1a", "#ffffff", "#ffffff")
SPLIT = ((PALETTE[4], TEXT_ON[4]), (PALETTE[1], TEXT_ON[1]))
MIN_LABELLED = 0.08  # narrower segments carry no percentage


def _svg_number(value: float) -> str:
    """A coordinate for SVG: a dot decimal whatever the active language."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def scale_colours(n: int) -> list[tuple[str, str]]:
    """(fill, text colour) of n scale points, spread light to dark."""
    if n <= 1:
        return [(PALETTE[-1], TEXT_ON[-1])] * n
    last = len(PALETTE) - 1
    picks = [round(i * last / (n - 1)) for i in range(n)]
    return [(PALETTE[i], TEXT_ON[i]) for i in picks]


@dataclass(frozen=True)
class Segment:
    x: str  # percent of the bar's width, for SVG
    width: str
    text_x: str
    fill: str
    text_fill: str
    label: str  # the percentage, or "" when the segment is too narrow


@dataclass(frozen=True)
class BarRow:
    code: str
    text: str
    segments: list[Segment]
    drawn: bool
    alt: str  # the figures in words


@dataclass(frozen=True)
class LegendEntry:
    label: str
    fill: str


@dataclass(frozen=True)
class StackedChart:
    rows: list[BarRow]
    legend: list[LegendEntry]
    alt: str  # what the chart shows, in words


def _row(item: ItemSummary, min_base: int) -> BarRow:
    if not item.chart_drawn:
        return BarRow(
            code=item.code,
            text=item.text,
            segments=[],
            drawn=False,
            alt=_("%(item)s: not drawn, its valid answers are shown as under %(n)d")
            % {"item": item.text, "n": min_base},
        )
    colours = scale_colours(len(item.points))
    segments, x, words = [], 0.0, []
    for point, (fill, text_fill) in zip(item.points, colours, strict=True):
        share = point.share.value or 0.0
        words.append(f"{point.label} {formatting.percent_text(point.share)}")
        if share <= 0:
            continue
        width = 100 * share
        segments.append(
            Segment(
                x=_svg_number(x),
                width=_svg_number(width),
                text_x=_svg_number(x + width / 2),
                fill=fill,
                text_fill=text_fill,
                label=formatting.percent_text(point.share)
                if share >= MIN_LABELLED
                else "",
            )
        )
        x += width
    n = formatting.count_text(item.valid_n)
    alt = _("%(item)s: %(figures)s (%(n)s valid answers)") % {
        "item": item.text,
        "figures": "; ".join(words),
        "n": n,
    }
    return BarRow(item.code, item.text, segments, True, alt)


def stacked_chart(
    items: list[ItemSummary], scale: list[ScaleLabel], *, min_base: int
) -> StackedChart:
    """The dilemma chart: a bar per item, the legend and a description."""
    labels = [s.label for s in scale if s.value is not None]
    legend = [
        LegendEntry(label, fill)
        for label, (fill, _text) in zip(labels, scale_colours(len(labels)), strict=True)
    ]
    alt = _(
        "Bar chart: per dilemma the share of the valid answers per scale point, "
        "from %(low)s to %(high)s."
    ) % {"low": labels[0] if labels else "", "high": labels[-1] if labels else ""}
    return StackedChart([_row(item, min_base) for item in items], legend, alt)


@dataclass(frozen=True)
class Slice:
    path: str | None  # SVG path in a 100 x 100 box; "" a whole circle, None nothing
    fill: str
    label: str
    count: str
    percent: str


@dataclass(frozen=True)
class SplitPie:
    slices: list[Slice]
    alt: str


def split_pie(figures: SectorFigures) -> SplitPie | None:
    """The cases with and without a dilemma; None when a share is hidden.

    Cases whose respondent did not say are left out of the pie.
    """
    with_share = figures.with_dilemma_share.value
    without_share = figures.without_dilemma_share.value
    if with_share is None or without_share is None:
        return None
    total = with_share + without_share
    if total <= 0:
        return None
    parts = [
        (with_share / total, _("case with dilemma"), figures.with_dilemma),
        (without_share / total, _("case without dilemma"), figures.without_dilemma),
    ]
    shares = [figures.with_dilemma_share, figures.without_dilemma_share]
    slices, start = [], -math.pi / 2
    for (part, label, cell), share, (fill, _text) in zip(
        parts, shares, SPLIT, strict=True
    ):
        end = start + 2 * math.pi * part
        slices.append(
            Slice(
                path=_arc(start, end, part),
                fill=fill,
                label=label,
                count=formatting.count_text(cell),
                percent=formatting.percent_text(share),
            )
        )
        start = end
    alt = _("Pie chart of the cases: %(figures)s") % {
        "figures": "; ".join(f"{s.label} {s.count} ({s.percent})" for s in slices)
    }
    return SplitPie(slices, alt)


def _arc(start: float, end: float, part: float) -> str | None:
    if part <= 0:
        return None
    if part >= 0.9999:
        return ""
    large = 1 if part > 0.5 else 0
    points = [
        _svg_number(50 + 48 * f(angle))
        for angle in (start, end)
        for f in (math.cos, math.sin)
    ]
    start_x, start_y, end_x, end_y = points
    return f"M50,50 L{start_x},{start_y} A48,48 0 {large} 1 {end_x},{end_y} Z"
