"""What was done to the figures, and the legend beside them: one place for all.

The dashboard, the CSV, the XLSX and the PDF fact sheet carry the same legend
and the same note, from here. Every count analysts see is shown (perturbed,
see disclosure.py): there is no mark for a small count, since a truthful one
("< 10") would itself tell that a count is under 10. One mark remains, and it
says only what the published figures say as well:

* NOT_GIVEN "x": a share or mean not given because its base, as published, is
  under the minimum (disclosure.min_base: twice the threshold).

Staff see exact figures, with STAFF_MARK beside the counts under the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .disclosure import COMMON_NOISE, MAX_NOISE

if TYPE_CHECKING:
    from meldcode_survey.dashboard.queries.types import Context

NOT_GIVEN = "x"  # a share or mean on a published base under the minimum
STAFF_MARK = "†"  # staff view: a count under the threshold, exact


@dataclass(frozen=True)
class LegendEntry:
    symbol: str
    text: str


def _figures(context: Context) -> dict[str, int]:
    """The numbers the legend and the note quote."""
    t = context.threshold
    return {
        "t": t,
        "m": t - 1,
        "usual": t + COMMON_NOISE,
        "top": t + MAX_NOISE,
        "base": context.min_base,
    }


def legend(context: Context) -> list[LegendEntry]:
    """The legend of the marks, for a page or file with this Context."""
    n = _figures(context)
    if context.unsuppressed:
        return [
            LegendEntry(
                STAFF_MARK,
                _(
                    "a count under %(t)d: analysts see %(t)d or a little more "
                    "instead (exact figures, staff only)"
                )
                % n,
            )
        ]
    return [
        LegendEntry("0", _("no one: a count of 0 is shown as 0")),
        LegendEntry(
            _("%(t)d to %(top)d") % n,
            _(
                "may stand for fewer than %(t)d: a count of 1 to %(m)d is shown "
                "as %(t)d or a little more (usually %(t)d to %(usual)d)"
            )
            % n,
        ),
        LegendEntry(
            NOT_GIVEN,
            _(
                "not given: the percentage or mean rests on a base shown as "
                "under %(base)d"
            )
            % n,
        ),
    ]


def disclosure_note(context: Context) -> str:
    """What was done to the figures, in plain words, for every output."""
    n = _figures(context)
    if context.unsuppressed:
        return (
            _(
                "Exact figures for staff: counts under %(t)d are shown and must "
                "not be published. Analysts and every published summary get the "
                "perturbed figures."
            )
            % n
        )
    return (
        _(
            "To protect respondents, every count is perturbed "
            "(afgerond/verstoord): a small, fixed amount of noise is added, the "
            "same for the same figure on every page and in every file. A count "
            "of 0 is shown as 0. A count of 1 to %(m)d is never shown as such: "
            "it is shown as %(t)d or a little more (usually %(t)d to %(usual)d, "
            "at most %(top)d), so a figure of %(t)d to %(top)d may stand for "
            "fewer people and small groups look larger than they are. Totals "
            "need not add up exactly, and a difference of a few between two "
            "figures can be noise. Percentages and means are computed from the "
            "perturbed counts; they are not given (x) where their base is shown "
            "as under %(base)d."
        )
        % n
    )
