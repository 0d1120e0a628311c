"""How the aggregation module's figures are written: rounding, marks, the note.

The one place for the dashboard's template filters, the CSV and XLSX tables
and the PDF fact sheet, so that a figure reads the same everywhere:

* rounding is half up (37.5% is 38%, a mean of 2.45 is 2.5), never cut off
  and never Python's round-half-to-even;
* every count is written as published (no count is hidden); a share or mean
  not given reads "x", and every output carries the same legend and
  disclosure note: both come from `dashboard.queries.marks`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from meldcode_survey.dashboard.queries import marks

if TYPE_CHECKING:
    from meldcode_survey.dashboard.queries.types import (
        Cell,
        Context,
        Difference,
        ItemSummary,
        Share,
    )

HIDDEN = marks.NOT_GIVEN  # a share or mean on a published base under the minimum
EMPTY = "–"  # nothing to show (no answers)
PERCENT_DECIMALS_IN_FILES = 1
MEAN_DECIMALS = 1
MEAN_DECIMALS_IN_FILES = 2


def round_half_up(value: float | Decimal, decimals: int = 0) -> Decimal:
    """`value` rounded half away from zero, as people and spreadsheets round.

    Through the float's shortest decimal form, so 0.285 is 0.285 (not
    0.28499999...), and a percentage of it 28.5, which rounds to 29.
    """
    exponent = Decimal(1).scaleb(-decimals)
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return exact.quantize(exponent, rounding=ROUND_HALF_UP)


def percent_number(share: float, decimals: int = 0) -> int | float:
    """A proportion (0..1) as a rounded percentage number."""
    rounded = round_half_up(Decimal(repr(share)) * 100, decimals)
    return int(rounded) if decimals == 0 else float(rounded)


def count_text(cell: Cell) -> str:
    """A count with thousands separators."""
    if cell.value is None:
        return EMPTY
    return number_format(cell.value, force_grouping=True)


def percent_text(share: Share) -> str:
    if share.hidden:
        return HIDDEN
    if share.value is None:
        return EMPTY
    return f"{number_format(percent_number(share.value))}%"


def interval_text(share: Share) -> str:
    """The 95% interval as "38–52%", empty when there is none."""
    if share.hidden or share.low is None or share.high is None:
        return ""
    return f"{percent_number(share.low)}–{percent_number(share.high)}%"


def mean_text(item: ItemSummary) -> str:
    if item.mean_hidden:
        return HIDDEN
    if item.mean is None:
        return EMPTY
    return number_format(round_half_up(item.mean, MEAN_DECIMALS), MEAN_DECIMALS)


def points_text(difference: Difference | None) -> str:
    """A difference of shares in percentage points, with its sign."""
    if difference is None or difference.value is None:
        return HIDDEN if difference is not None and difference.hidden else EMPTY
    value = percent_number(difference.value)
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{abs(value)}"


# --- Values for files: numbers stay numbers, hidden ones get the marks ---------


def percent_value(share: Share) -> float | str | None:
    if share.hidden:
        return HIDDEN
    if share.value is None:
        return None
    return percent_number(share.value, PERCENT_DECIMALS_IN_FILES)


def bound_value(share: Share, bound: float | None) -> float | None:
    if share.hidden or bound is None:
        return None
    return percent_number(bound, PERCENT_DECIMALS_IN_FILES)


def mean_value(item: ItemSummary) -> float | str | None:
    if item.mean_hidden:
        return HIDDEN
    if item.mean is None:
        return None
    return float(round_half_up(item.mean, MEAN_DECIMALS_IN_FILES))


# Plain fractions a reader takes in at a glance, as the published sheet says
# "in ruim 1/3 van de situaties".
FRACTIONS = ((1, 5), (1, 4), (1, 3), (2, 5), (1, 2), (3, 5), (2, 3), (3, 4), (4, 5))


def share_in_words(share: Share) -> str:
    """ "more than 1/3", "almost half"...: the nearest plain fraction, or ""."""
    if share.hidden or share.value is None:
        return ""
    value = share.value
    numerator, denominator = min(FRACTIONS, key=lambda f: abs(value - f[0] / f[1]))
    fraction = f"{numerator}/{denominator}"
    gap = value - numerator / denominator
    if abs(gap) > 0.05:
        return ""
    if gap > 0.005:
        return _("more than %(fraction)s") % {"fraction": fraction}
    if gap < -0.005:
        return _("almost %(fraction)s") % {"fraction": fraction}
    return _("about %(fraction)s") % {"fraction": fraction}


def mark_definitions(context: Context) -> list[tuple[str, str]]:
    """Each mark for a hidden or missing figure with what it means (codebooks)."""
    legend = [(entry.symbol, entry.text) for entry in marks.legend(context)]
    return legend + [
        (_("(empty)"), _("Nothing to show: no answers, or not applicable.")),
    ]
