"""Template filters for the aggregation module's figures (see ..formatting).

Hidden figures come out as "< 10" (counts) or "x" (shares, means), the marks
the exports use too.
"""

from typing import Any

from django import template

from .. import formatting

register = template.Library()


@register.filter
def count(cell: Any, threshold: int = 10) -> str:
    """`{{ cell|count:threshold }}`: the count, or "< threshold" when hidden."""
    return formatting.count_text(cell, threshold)


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
def suppression_note(context: Any) -> str:
    """The legend of the marks for hidden figures."""
    return formatting.suppression_note(context)
