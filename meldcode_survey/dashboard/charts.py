"""Geometry of the server-side charts; templates draw them as inline SVG.

The dilemma chart is a horizontal diverging stacked bar per item: the lowest
scale points run left from the centre line, the highest run right, and the
middle point is split across it. Colours come from ColorBrewer's PuOr scheme,
which stays distinguishable with the common colour-vision deficiencies; every
segment wide enough carries its percentage, and the page gives the same
figures in a table. A bar that rests on a hidden count is not drawn.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .queries import ItemSummary, ScaleLabel, SectorFigures

# Low (not holding back) to high (holding back strongly), PuOr 5-class.
PALETTE = ["#5e3c99", "#b2abd2", "#d9d9d9", "#fdb863", "#e66101"]
TEXT_ON = ["#ffffff", "#000000", "#000000", "#000000", "#000000"]
WIDTH = 760
PLOT_LEFT = 20
PLOT_RIGHT = WIDTH - 20
BAR_HEIGHT = 22
LINE_HEIGHT = 16
ROW_GAP = 14
LEGEND_HEIGHT = 48
AXIS_HEIGHT = 24
CHARS_PER_LINE = 95
MIN_LABELLED_WIDTH = 30


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    text_fill: str
    label: str  # the percentage, or "" when the segment is too narrow
    title: str  # scale point and percentage, for a tooltip

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class BarRow:
    y: float  # top of the row (label lines first, then the bar)
    lines: list[str]
    segments: list[Segment]
    drawn: bool

    @property
    def bar_y(self) -> float:
        return self.y + len(self.lines) * LINE_HEIGHT + 4

    @property
    def text_y(self) -> float:
        return self.bar_y + BAR_HEIGHT / 2 + 4

    def line_ys(self) -> list[tuple[float, str]]:
        return [
            (self.y + (i + 1) * LINE_HEIGHT - 3, t) for i, t in enumerate(self.lines)
        ]


@dataclass(frozen=True)
class LegendEntry:
    x: float
    y: float
    fill: str
    label: str

    @property
    def text_x(self) -> float:
        return self.x + 20

    @property
    def text_y(self) -> float:
        return self.y + 12


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class DivergingChart:
    width: int
    height: float
    centre: float
    rows: list[BarRow]
    legend: list[LegendEntry]
    ticks: list[Tick]
    axis_y: float

    @property
    def line_top(self) -> float:
        return LEGEND_HEIGHT - 6

    @property
    def tick_y(self) -> float:
        return self.axis_y + 16


def _x(share: float) -> float:
    """Position of a share on the axis: -1 left edge, 0 centre, +1 right edge."""
    half = (PLOT_RIGHT - PLOT_LEFT) / 2
    return PLOT_LEFT + half + share * half


def _percent(value: float) -> str:
    return f"{round(100 * value)}%"


def _segments(item: ItemSummary, labels: list[str]) -> list[Segment]:
    shares = [p.share.value or 0.0 for p in item.points]
    count = len(shares)
    middle = count // 2 if count % 2 else None
    left = sum(shares[:middle] if middle is not None else shares[: count // 2])
    if middle is not None:
        left += shares[middle] / 2
    position = -left
    segments = []
    for index, share in enumerate(shares):
        colour = PALETTE[round(index * (len(PALETTE) - 1) / max(count - 1, 1))]
        text = TEXT_ON[PALETTE.index(colour)]
        x, end = _x(position), _x(position + share)
        width = end - x
        segments.append(
            Segment(
                x=round(x, 1),
                width=round(width, 1),
                fill=colour,
                text_fill=text,
                label=_percent(share) if width >= MIN_LABELLED_WIDTH else "",
                title=f"{labels[index]}: {_percent(share)}",
            )
        )
        position += share
    return segments


def diverging_chart(
    items: list[ItemSummary], scale: list[ScaleLabel]
) -> DivergingChart:
    labels = [s.label for s in scale if s.value is not None]
    legend = _legend(labels)
    y = LEGEND_HEIGHT
    rows = []
    for item in items:
        lines = textwrap.wrap(item.text, CHARS_PER_LINE) or [item.code]
        drawn = item.chart_drawn
        rows.append(
            BarRow(
                y=y,
                lines=lines,
                segments=_segments(item, labels) if drawn else [],
                drawn=drawn,
            )
        )
        y += len(lines) * LINE_HEIGHT + 4 + BAR_HEIGHT + ROW_GAP
    ticks = [
        Tick(x=round(_x(s), 1), label=_percent(abs(s))) for s in (-1, -0.5, 0, 0.5, 1)
    ]
    return DivergingChart(
        width=WIDTH,
        height=y + AXIS_HEIGHT,
        centre=round(_x(0), 1),
        rows=rows,
        legend=legend,
        ticks=ticks,
        axis_y=y,
    )


def _legend(labels: list[str]) -> list[LegendEntry]:
    entries, x, y = [], PLOT_LEFT, 14
    count = len(labels)
    for index, label in enumerate(labels):
        width = 24 + 7 * len(label)
        if x + width > PLOT_RIGHT:
            x, y = PLOT_LEFT, y + 20
        colour = PALETTE[round(index * (len(PALETTE) - 1) / max(count - 1, 1))]
        entries.append(LegendEntry(x=x, y=y, fill=colour, label=label))
        x += width + 12
    return entries


@dataclass(frozen=True)
class SplitBar:
    """The cases with and without a dilemma as one 100% bar."""

    segments: list[Segment]
    width: int


def dilemma_split(figures: SectorFigures, labels: tuple[str, str]) -> SplitBar | None:
    with_share = figures.with_dilemma_share.value
    without_share = figures.without_dilemma_share.value
    if with_share is None or without_share is None:
        return None
    total = with_share + without_share
    if total <= 0:
        return None
    segments, x = [], 0.0
    for share, fill, text, label in (
        (with_share, PALETTE[4], TEXT_ON[4], labels[0]),
        (without_share, PALETTE[1], TEXT_ON[1], labels[1]),
    ):
        width = share / total * WIDTH  # cases of unknown dilemma left out
        segments.append(
            Segment(
                x=round(x, 1),
                width=round(width, 1),
                fill=fill,
                text_fill=text,
                label=f"{label} {_percent(share)}" if width >= 160 else "",
                title=f"{label}: {_percent(share)}",
            )
        )
        x += width
    return SplitBar(segments=segments, width=WIDTH)


# --- Markup -------------------------------------------------------------------
# Built here rather than in a template: a chart is a few hundred small elements,
# which format_html writes (escaped) several times faster than template loops.

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, **attributes: str) -> SafeString:
    extra = format_html_join(
        "", ' {}="{}"', ((k.replace("_", "-"), v) for k, v in attributes.items())
    )
    return format_html('<text x="{}" y="{}"{}>{}</text>', _num(x), _num(y), extra, text)


def _rect(segment: Segment, y: float, height: float) -> SafeString:
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
        _num(segment.x),
        _num(y),
        _num(segment.width),
        _num(height),
        segment.fill,
        segment.title,
    )


def diverging_svg(
    chart: DivergingChart, *, chart_id: str, title: str, description: str, missing: str
) -> SafeString:
    """The chart as inline SVG with a title and description for screen readers."""
    parts = [
        format_html(
            '<svg role="img" aria-labelledby="{0}-title {0}-desc" viewBox="0 0 {1} {2}"'
            ' width="100%" class="diverging-chart" xmlns="http://www.w3.org/2000/svg"'
            ' font-family="{3}"><title id="{0}-title">{4}</title>'
            '<desc id="{0}-desc">{5}</desc>',
            chart_id,
            chart.width,
            _num(chart.height),
            FONT,
            title,
            description,
        )
    ]
    for entry in chart.legend:
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="#555"'
                ' stroke-width="0.5"/>',
                _num(entry.x),
                _num(entry.y),
                entry.fill,
            )
        )
        parts.append(_text(entry.text_x, entry.text_y, entry.label, font_size="12"))
    for row in chart.rows:
        parts.append(mark_safe('<g class="chart-row">'))  # noqa: S308 - constant
        for y, line in row.line_ys():
            parts.append(_text(PLOT_LEFT, y, line, font_size="13", fill="#222"))
        for segment in row.segments:
            parts.append(_rect(segment, row.bar_y, BAR_HEIGHT))
            if segment.label:
                parts.append(
                    _text(
                        segment.text_x,
                        row.text_y,
                        segment.label,
                        text_anchor="middle",
                        font_size="11",
                        fill=segment.text_fill,
                    )
                )
        if not row.drawn:
            parts.append(
                _text(
                    chart.centre,
                    row.text_y,
                    missing,
                    text_anchor="middle",
                    font_size="12",
                    fill="#444",
                    font_style="italic",
                )
            )
        parts.append(mark_safe("</g>"))  # noqa: S308 - constant
    parts.append(
        format_html(
            '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="#222"'
            ' stroke-width="1"/>',
            _num(chart.centre),
            _num(chart.line_top),
            _num(chart.axis_y),
        )
    )
    for tick in chart.ticks:
        parts.append(
            _text(
                tick.x,
                chart.tick_y,
                tick.label,
                text_anchor="middle",
                font_size="11",
                fill="#444",
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped


def split_svg(bar: SplitBar, *, title: str) -> SafeString:
    parts = [
        format_html(
            '<svg role="img" aria-label="{}" viewBox="0 0 {} 30" width="100%"'
            ' class="split-bar" xmlns="http://www.w3.org/2000/svg" font-family="{}">',
            title,
            bar.width,
            FONT,
        )
    ]
    for segment in bar.segments:
        parts.append(_rect(segment, 0, 30))
        if segment.label:
            parts.append(
                _text(
                    segment.text_x,
                    20,
                    segment.label,
                    text_anchor="middle",
                    font_size="13",
                    fill=segment.text_fill,
                )
            )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped


def chart_markup(
    items: list[ItemSummary], scale: list[ScaleLabel], title: str, *, context: Any
) -> SafeString:
    """The dilemma chart of a page, with its texts in the active language."""
    return diverging_svg(
        diverging_chart(items, scale),
        chart_id="dilemma-chart",
        title=title,
        description=_(
            "Horizontal stacked bars, one per dilemma: the lower scale points to "
            "the left of the centre line, the higher ones to the right. The table "
            "below gives the same figures."
        ),
        missing=_("Not shown: it would give away counts below %(t)d")
        % {"t": context.threshold},
    )


def split_markup(figures: SectorFigures) -> SafeString | None:
    bar = dilemma_split(figures, (_("with dilemma"), _("without dilemma")))
    if bar is None:
        return None
    return split_svg(bar, title=_("Cases with and without a dilemma"))
