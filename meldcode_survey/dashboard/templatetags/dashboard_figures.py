"""Formatting of the aggregation module's figures: counts, shares, differences.

Hidden figures come out as the marks of dashboard.queries.marks ("< 10" for
counts, "x" for shares and means), the marks the exports use too.
"""

from typing import Any

from django import template
from django.utils.formats import number_format

from meldcode_survey.dashboard.queries import marks

register = template.Library()

HIDDEN = "x"
EMPTY = "–"


@register.filter
def count(cell: Any, threshold: int = 10) -> str:
    """`{{ cell|count:threshold }}`: the count, or "< threshold" when hidden."""
    if cell.hidden:
        return marks.count_mark(cell, threshold)
    if cell.value is None:
        return EMPTY
    return number_format(cell.value, force_grouping=True)


@register.filter
def percent(share: Any) -> str:
    if share.hidden:
        return HIDDEN
    if share.value is None:
        return EMPTY
    return f"{number_format(round(100 * share.value))}%"


@register.filter
def interval(share: Any) -> str:
    """The 95% interval as "38–52%", empty when there is none."""
    if share.hidden or share.low is None:
        return ""
    return f"{round(100 * share.low)}–{round(100 * share.high)}%"


@register.filter
def points(difference: Any) -> str:
    """A difference of shares in percentage points, with its sign."""
    if difference is None or difference.value is None:
        return HIDDEN if difference is not None and difference.hidden else EMPTY
    value = round(100 * difference.value)
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{abs(value)}"


@register.filter
def mean(item: Any) -> str:
    if item.mean_hidden:
        return HIDDEN
    if item.mean is None:
        return EMPTY
    return number_format(marks.rounded_mean(item.mean), decimal_pos=1)


@register.simple_tag
def disclosure_legend(context: Any) -> list:
    """`{% disclosure_legend context as legend %}`: the marks and their meaning."""
    return marks.legend(context)


@register.simple_tag
def disclosure_note(context: Any) -> str:
    return marks.disclosure_note(context)
