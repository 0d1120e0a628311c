"""Template filters for the aggregation module's figures (see ..formatting).

Counts come out as published; a share or mean not given as "x", the mark of
dashboard.queries.marks that the exports use too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from meldcode_survey.dashboard.queries import marks

if TYPE_CHECKING:
    from meldcode_survey.dashboard.queries.types import (
        Cell,
        Context,
        Difference,
        ItemSummary,
        Share,
    )

from .. import formatting

register = template.Library()


@register.filter
def count(cell: Cell) -> str:
    """`{{ cell|count }}`: the count with thousands separators."""
    return formatting.count_text(cell)


@register.filter
def percent(share: Share) -> str:
    return formatting.percent_text(share)


@register.filter
def interval(share: Share) -> str:
    """The 95% interval as "38–52%", empty when there is none."""
    return formatting.interval_text(share)


@register.filter
def points(difference: Difference | None) -> str:
    """A difference of shares in percentage points, with its sign."""
    return formatting.points_text(difference)


@register.filter
def mean(item: ItemSummary) -> str:
    return formatting.mean_text(item)


@register.filter
def in_words(share: Share) -> str:
    """ "more than 1/3": the share as a plain fraction, or ""."""
    return formatting.share_in_words(share)


@register.simple_tag
def disclosure_legend(context: Context) -> list[marks.LegendEntry]:
    """`{% disclosure_legend context as legend %}`: the marks and their meaning."""
    return marks.legend(context)


@register.simple_tag
def disclosure_note(context: Context) -> str:
    """What was done to the figures, in plain words."""
    return marks.disclosure_note(context)
