"""Template filters for the aggregation module's figures (see ..formatting).

Counts come out as published; a share or mean not given as "x", the mark of
dashboard.queries.marks that the exports use too.
"""

from typing import Any

from django import template

from meldcode_survey.dashboard.queries import marks

from .. import formatting

register = template.Library()


@register.filter
def count(cell: Any) -> str:
    """`{{ cell|count }}`: the count with thousands separators."""
    return formatting.count_text(cell)


@register.filter
def percent(share: Any) -> str:
    return formatting.percent_text(share)


@register.filter
def interval(share: Any) -> str:
    """The 95% interval as "38–52%", empty when there is none."""
    return formatting.interval_text(share)


@register.filter
def points(difference: Any) -> str:
    """A difference of shares in percentage points, with its sign."""
    return formatting.points_text(difference)


@register.filter
def mean(item: Any) -> str:
    return formatting.mean_text(item)


@register.filter
def in_words(share: Any) -> str:
    """ "more than 1/3": the share as a plain fraction, or ""."""
    return formatting.share_in_words(share)


@register.simple_tag
def disclosure_legend(context: Any) -> list:
    """`{% disclosure_legend context as legend %}`: the marks and their meaning."""
    return marks.legend(context)


@register.simple_tag
def disclosure_note(context: Any) -> str:
    """What was done to the figures, in plain words."""
    return marks.disclosure_note(context)
