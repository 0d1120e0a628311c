"""The aggregation module: every figure of the dashboard, the exports and the PDF.

Per questionnaire version and data set (real or synthetic, never mixed), per
sector and for all sectors, over whole months: respondents, applied the
meldcode, cases with and without dilemma; per Likert item the count per scale
point, n.v.t., valid n, mean and top-two share; per choice question the count
per option; the coded dilemmas of the narrative coding; a sector against all
sectors and one wave against another. Shares carry a 95% Wilson interval and
a difference is marked significant only where a Bonferroni-corrected
two-proportion test says so.

Disclosure control lives here and only here (disclosure.py, cell key
perturbation): analysts get perturbed figures, staff (`unsuppressed=True`) the
true ones with the counts under the threshold marked `protected`; marks.py
gives the legend and the note that every output carries. Figures come from
the rollup tables only.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import date

from django.db.models import Exists, OuterRef, Subquery

from meldcode_survey.accounts import access
from meldcode_survey.accounts.access import allowed_sectors
from meldcode_survey.questionnaires.models import Questionnaire, Version
from meldcode_survey.questionnaires.sectors import ALL

from ..models import FiguresStamp, ResponseRollup, SectorNote
from . import marks
from .figures import Table, top_item, with_waves
from .types import (
    Cell,
    ChoiceSummary,
    CodedDilemmas,
    CodeShare,
    Context,
    Difference,
    ItemSummary,
    OptionCount,
    Overview,
    Period,
    PointCount,
    ScaleLabel,
    SectorFigures,
    SectorRow,
    SectorSummary,
    Share,
    WaveItem,
)

__all__ = [
    "Cell",
    "ChoiceSummary",
    "CodeShare",
    "CodedDilemmas",
    "Context",
    "Difference",
    "ItemSummary",
    "OptionCount",
    "Overview",
    "Period",
    "PointCount",
    "ScaleLabel",
    "SectorFigures",
    "SectorRow",
    "SectorSummary",
    "Share",
    "WaveItem",
    "allowed_sectors",
    "dashboard_questionnaires",
    "dashboard_versions",
    "default_version",
    "figure_access",
    "marks",
    "overview",
    "previous_wave",
    "sector_summary",
    "sees_unsuppressed",
]

TOP_CODES_IN_OVERVIEW = 3


def figure_access(user: access.AnyUser) -> access.FigureAccess:
    """What of the figures `user` may see, in pages and files alike.

    The rule lives in accounts.access; views pass it to the entry points below
    and exports store it on the row (Export.figure_access), so a figure a page
    withholds from a role is withheld from that role's files too.
    """
    return access.figure_access(user)


def sees_unsuppressed(user: access.AnyUser) -> bool:
    """Staff see the true small counts (labelled); everyone else suppressed ones."""
    return figure_access(user).unsuppressed


def dashboard_questionnaires() -> list[Questionnaire]:
    """Questionnaires with a published or closed version."""
    return list(
        Questionnaire.objects.filter(
            versions__status__in=[Version.Status.PUBLISHED, Version.Status.CLOSED]
        ).distinct()
    )


def dashboard_versions(questionnaire: Questionnaire) -> list[Version]:
    """The versions (waves) that can have responses, newest first.

    Each carries `has_responses` (see default_version) and `figures_stamp`, a
    token that changes with any of its figures (None: nothing counted yet).
    """
    with_responses = ResponseRollup.objects.filter(
        version=OuterRef("pk"), respondents__gt=0
    )
    stamp = FiguresStamp.objects.filter(version=OuterRef("pk")).values("token")
    return list(
        questionnaire.versions.exclude(status=Version.Status.DRAFT)
        .select_related("questionnaire")
        .annotate(has_responses=Exists(with_responses), figures_stamp=Subquery(stamp))
        .order_by("-number")
    )


def previous_wave(version: Version) -> Version | None:
    """The published or closed version just before this one, if any."""
    earlier = version.questionnaire.versions.filter(number__lt=version.number)
    return earlier.exclude(status=Version.Status.DRAFT).order_by("-number").first()


def default_version(versions: list[Version]) -> Version | None:
    """The newest version with responses, else the newest (of dashboard_versions)."""
    # has_responses is annotated by dashboard_versions.
    return next((v for v in versions if v.has_responses), None) or (  # type: ignore[attr-defined]
        versions[0] if versions else None
    )


# --- The two entry points -----------------------------------------------------


def sector_summary(
    *,
    version: Version,
    sector: str = ALL,
    month_from: date | None = None,
    month_to: date | None = None,
    synthetic: bool | None = None,
    compare_version: Version | None = None,
    unsuppressed: bool = False,
    all_sectors: bool = True,
) -> SectorSummary:
    """The fact sheet of one sector (sector ALL: all sectors together).

    `synthetic` None picks the real responses, or the synthetic ones when the
    version has no real responses. Months are first days of months.
    `all_sectors` False (FigureAccess.all_sectors) leaves out every figure of
    all sectors together: `all_figures` and the differences with all sectors.
    """
    table = Table.load(version, month_from, month_to, synthetic, unsuppressed)
    compare_all = all_sectors and sector != ALL
    items = [table.item(q, sector, vs_all=compare_all) for q in table.meta.items]
    comparisons = sum(
        1 for item in items if item.vs_all and item.vs_all.value is not None
    )
    items = [table.with_significance(item, comparisons) for item in items]
    compare_number = None
    if compare_version is not None and compare_version.pk != version.pk:
        other = Table.load(compare_version, None, None, table.synthetic, unsuppressed)
        items = with_waves(items, table, other, sector)
        compare_number = compare_version.number
    return SectorSummary(
        context=table.context(),
        figures=table.figures(sector),
        all_figures=table.figures(ALL) if all_sectors else None,
        scale=table.scale(),
        items=items,
        choices=[table.choice(q, sector) for q in table.meta.choices],
        coded=table.coded(sector),
        examples=table.examples(sector),
        note=_note(version, sector),
        compare_version_number=compare_number,
        item_comparisons=comparisons,
        sectors={code: table.meta.sector_label(code) for code in table.sectors},
        sector_figures=(
            _by_respondents([table.figures(c) for c in table.sectors])
            if all_sectors
            else []
        ),
    )


def _by_respondents(figures: list[SectorFigures]) -> list[SectorFigures]:
    """Most respondents first, by the count as shown (ties in the question's
    order): the rank by the true count would tell more than the figures."""
    return sorted(figures, key=lambda f: -(f.respondents.value or 0))


def overview(
    *,
    version: Version,
    month_from: date | None = None,
    month_to: date | None = None,
    synthetic: bool | None = None,
    unsuppressed: bool = False,
    sectors: Set[str] | None = None,
) -> Overview:
    """All sectors side by side: figures, top coded dilemmas, the top item.

    `sectors` limits the rows (see figure_access); the figures and what is
    hidden do not depend on it. With `sectors` given the figures of all sectors
    together (the total, the items) are withheld: FigureAccess.all_sectors.
    """
    table = Table.load(version, month_from, month_to, synthetic, unsuppressed)
    rows = []
    for s in table.sectors:
        if sectors is not None and s not in sectors:
            continue
        items = [table.item(q, s, vs_all=False) for q in table.meta.items]
        coded = table.coded(s)
        rows.append(
            SectorRow(
                figures=table.figures(s),
                top_codes=[c for c in coded.codes if c.cases.value][
                    :TOP_CODES_IN_OVERVIEW
                ],
                top_item=top_item(items),
            )
        )
    all_sectors = sectors is None
    return Overview(
        context=table.context(),
        rows=rows,
        total=table.figures(ALL) if all_sectors else None,
        scale=table.scale(),
        items=[table.item(q, ALL, vs_all=False) for q in table.meta.items]
        if all_sectors
        else [],
        sectors={s: table.meta.sector_label(s) for s in table.sectors},
    )


def _note(version: Version, sector: str) -> str:
    note = SectorNote.objects.filter(version=version, sector=sector).first()
    return note.tr("text") if note else ""
