"""How every output writes a figure that is not shown, and the legend beside it.

One place for the marks, so the dashboard, the CSV, the XLSX and the PDF fact
sheet write the same mark for the same reason and carry the same legend. Each
mark says only what is true of every figure that carries it:

* SMALL_COUNT "< 10": the true count is 0 to 9 (never a larger count).
* SMALL_BASE "x": a share or mean not given because its count or its base is
  under the threshold (so shown as "< 10").

Shown figures are perturbed (disclosure.py): `disclosure_note` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from meldcode_survey.dashboard.queries.types import (
        Cell,
        Context,
        Share,
    )

SMALL_COUNT = "small_count"
SMALL_BASE = "small_base"
STAFF_MARK = "†"  # staff view: a count under the threshold, exact


@dataclass(frozen=True)
class LegendEntry:
    symbol: str
    text: str


def symbol(mark: str, threshold: int) -> str:
    """How a hidden figure is written, in every output."""
    return f"< {threshold}" if mark == SMALL_COUNT else "x"


def count_mark(cell: Cell, threshold: int) -> str:
    """The mark of a hidden count ("< 10"); "" for a shown one."""
    return symbol(cell.mark or SMALL_COUNT, threshold) if cell.hidden else ""


def share_mark(share: Share, threshold: int) -> str:
    return symbol(share.mark or SMALL_BASE, threshold) if share.hidden else ""


def legend(context: Context) -> list[LegendEntry]:
    """The legend of the marks, for a page or file with this Context."""
    t = context.threshold
    if context.unsuppressed:
        return [
            LegendEntry(
                STAFF_MARK,
                _(
                    "a count under %(t)d: analysts see '< %(t)d' or a perturbed "
                    "figure instead (exact figures, staff only)"
                )
                % {"t": t},
            )
        ]
    return [
        LegendEntry(
            symbol(SMALL_COUNT, t),
            _("fewer than %(t)d (0 to %(m)d): not shown") % {"t": t, "m": t - 1},
        ),
        LegendEntry(
            symbol(SMALL_BASE, t),
            _("not computed: the share or mean rests on a count shown as '< %(t)d'")
            % {"t": t},
        ),
    ]


def disclosure_note(context: Context) -> str:
    """What was done to the figures, in plain words, for every output."""
    t = context.threshold
    if context.unsuppressed:
        return _(
            "Exact figures for staff: counts under %(t)d are shown and must not "
            "be published. Analysts and every published summary get the "
            "perturbed figures."
        ) % {"t": t}
    return _(
        "To protect respondents, every count is rounded and perturbed "
        "(afgerond/verstoord): a small, fixed amount of noise is added, the same "
        "for the same figure on every page and in every file. A count under "
        "%(t)d is shown as '< %(t)d' or as %(t)d. So totals need not add up "
        "exactly, and a difference of a few between two figures can be noise. "
        "Percentages and means are computed from the perturbed counts."
    ) % {"t": t}
