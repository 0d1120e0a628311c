"""A sector summary laid out as tables, for the CSV and XLSX writers.

Every figure comes from the aggregation module's SectorSummary as it is: every
count as published, a share or mean not given as its mark from
dashboard.queries.marks ("x", as Statistics Netherlands marks confidential
figures), and the context table carries the note and the legend. Nothing is
recomputed here; percentages are the module's shares times 100, rounded; means
are rounded as on the dashboard.

Each table has a stable key and stable column ids (the CSV's `table` and
`measure` columns) and translated titles and headers (the XLSX sheets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from meldcode_survey.dashboard import formatting
from meldcode_survey.dashboard.queries import (
    ItemSummary,
    SectorFigures,
    SectorSummary,
    Share,
    marks,
)

HIDDEN_SHARE = formatting.HIDDEN
fmt_percent = formatting.percent_value
fmt_bound = formatting.bound_value
fmt_mean = formatting.mean_value


@dataclass(frozen=True)
class TableColumn:
    id: str
    header: str
    description: str = ""


@dataclass
class SummaryTable:
    key: str
    title: str
    columns: list[TableColumn]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def measures(self) -> list[TableColumn]:
        """The value columns (all but `code` and `label`)."""
        return [c for c in self.columns if c.id not in ("code", "label")]


def _interval_columns(prefix: str, what: str) -> list[TableColumn]:
    """The 95% interval of a share, as the dashboard shows it."""
    return [
        TableColumn(
            f"{prefix}_low",
            _("%(what)s, 95%% interval low (%%)") % {"what": what},
            _("Lower bound of the 95% Wilson interval of the share before it."),
        ),
        TableColumn(
            f"{prefix}_high",
            _("%(what)s, 95%% interval high (%%)") % {"what": what},
            _("Upper bound of the 95% Wilson interval of the share before it."),
        ),
    ]


def _interval(prefix: str, share: Share) -> dict[str, float | None]:
    return {
        f"{prefix}_low": fmt_bound(share, share.low),
        f"{prefix}_high": fmt_bound(share, share.high),
    }


def _code_label(code: str, label: str) -> list[TableColumn]:
    return [TableColumn("code", code), TableColumn("label", label)]


def summary_tables(summary: SectorSummary) -> list[SummaryTable]:
    builders: list[Callable[[SectorSummary], SummaryTable]] = [
        _context_table,
        _figures_table,
        _items_table,
        _choices_table,
        _coded_table,
        _examples_table,
        _note_table,
    ]
    return [build(summary) for build in builders]


def _context_table(summary: SectorSummary) -> SummaryTable:
    ctx, period = summary.context, summary.context.period
    table = SummaryTable(
        "context",
        _("About"),
        [
            *_code_label(_("Field"), _("Description")),
            TableColumn("value", _("Value"), _("What the figures are about.")),
        ],
    )
    values = [
        ("questionnaire", _("Questionnaire"), ctx.questionnaire),
        ("version", _("Questionnaire version"), ctx.version_number),
        ("sector", _("Sector"), summary.figures.label),
        ("period_from", _("From (month)"), _iso(period.date_from)),
        ("period_to", _("To (month)"), _iso(period.date_to)),
        (
            "data_set",
            _("Data set"),
            _("Synthetic (generated, not real)") if ctx.synthetic else _("Real"),
        ),
        (
            "threshold",
            _("Threshold (a count of 1 or more below it reads as it or more)"),
            ctx.threshold,
        ),
        (
            "suppression",
            _("Small counts"),
            _("Shown (unsuppressed, staff only)")
            if ctx.unsuppressed
            else _("Perturbed (afgerond/verstoord)"),
        ),
        (
            "suppression_note",
            _("Note on disclosure control"),
            marks.disclosure_note(summary.context),
        ),
        *(
            (f"mark_{i}", _("Mark %(mark)s") % {"mark": entry.symbol}, entry.text)
            for i, entry in enumerate(marks.legend(ctx), start=1)
        ),
    ]
    table.rows = [{"code": c, "label": label, "value": v} for c, label, v in values]
    return table


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _figures_table(summary: SectorSummary) -> SummaryTable:
    table = SummaryTable(
        "respondents",
        _("Respondents"),
        [
            *_code_label(_("Sector code"), _("Sector")),
            TableColumn(
                "respondents",
                _("Respondents"),
                _("Professionals who submitted the questionnaire (count)."),
            ),
            TableColumn(
                "applied",
                _("Applied the meldcode"),
                _("Respondents who said they have applied the meldcode (count)."),
            ),
            TableColumn(
                "applied_percent",
                _("Applied the meldcode (%)"),
                _("Applied the meldcode, of the respondents (%)."),
            ),
            *_interval_columns("applied", _("Applied the meldcode")),
            TableColumn(
                "cases",
                _("Cases described"),
                _("Respondents who described a case (count)."),
            ),
            TableColumn(
                "with_dilemma",
                _("Cases with dilemma"),
                _("Cases the respondent said had a dilemma (count)."),
            ),
            TableColumn(
                "without_dilemma",
                _("Cases without dilemma"),
                _("Cases the respondent said had no dilemma (count)."),
            ),
            TableColumn(
                "with_dilemma_percent",
                _("Cases with dilemma (%)"),
                _("Cases with dilemma, of the cases described (%)."),
            ),
            *_interval_columns("with_dilemma", _("Cases with dilemma")),
            TableColumn(
                "without_dilemma_percent",
                _("Cases without dilemma (%)"),
                _("Cases without dilemma, of the cases described (%)."),
            ),
        ],
    )
    figures: list[SectorFigures] = [summary.figures]
    if summary.compared_with_all and summary.all_figures is not None:
        figures.append(summary.all_figures)
    for f in figures:
        table.rows.append(
            {
                "code": f.sector,
                "label": f.label,
                "respondents": f.respondents.value,
                "applied": f.applied.value,
                "applied_percent": fmt_percent(f.applied_share),
                **_interval("applied", f.applied_share),
                "cases": f.cases.value,
                "with_dilemma": f.with_dilemma.value,
                "without_dilemma": f.without_dilemma.value,
                "with_dilemma_percent": fmt_percent(f.with_dilemma_share),
                **_interval("with_dilemma", f.with_dilemma_share),
                "without_dilemma_percent": fmt_percent(f.without_dilemma_share),
            }
        )
    return table


def _items_table(summary: SectorSummary) -> SummaryTable:
    scored = [s for s in summary.scale if s.value is not None]
    columns = [
        *_code_label(_("Item code"), _("Item")),
        *[
            TableColumn(
                f"count_{s.value}",
                f"{s.value}. {s.label}",
                _("Respondents who gave this scale point (count)."),
            )
            for s in scored
        ],
        TableColumn(
            "not_applicable",
            _("Don't know / n.a."),
            _("Respondents who answered 'don't know / n.a.' (count, not scored)."),
        ),
        TableColumn(
            "valid_n",
            _("Valid answers"),
            _("Respondents who gave a scored point: the base of the mean (count)."),
        ),
        TableColumn(
            "mean",
            _("Mean (1-%(n)d)") % {"n": len(scored)},
            _("Mean of the scored points over the valid answers, rounded half up."),
        ),
        TableColumn(
            "top_two_percent",
            _("Top two points (%)"),
            _("The two highest scale points, of the valid answers (%)."),
        ),
        TableColumn(
            "top_two_low",
            _("Top two, 95% interval low (%)"),
            _("Lower bound of the 95% Wilson interval of the top two share."),
        ),
        TableColumn(
            "top_two_high",
            _("Top two, 95% interval high (%)"),
            _("Upper bound of the 95% Wilson interval of the top two share."),
        ),
    ]
    if summary.compared_with_all:
        columns += [
            TableColumn(
                "vs_all_points",
                _("Difference with all sectors (points)"),
                _("Top two share of this sector minus that of all sectors."),
            ),
            TableColumn(
                "vs_all_significant",
                _("Difference significant"),
                _(  # Translators: xgettext:no-python-format
                    "Two-proportion test against the other sectors, 5% level, "
                    "Bonferroni corrected over the items."
                ),
            ),
        ]
    wave = summary.compare_version_number
    if wave is not None:
        columns += _wave_columns(wave)
    table = SummaryTable("items", _("Dilemmas"), columns)
    for item in summary.items:
        row: dict[str, Any] = {"code": item.code, "label": item.text}
        for point in item.points:
            row[f"count_{point.value}"] = point.count.value
        row.update(
            not_applicable=item.not_applicable.count.value,
            valid_n=item.valid_n.value,
            mean=fmt_mean(item),
            top_two_percent=fmt_percent(item.top_two),
            top_two_low=fmt_bound(item.top_two, item.top_two.low),
            top_two_high=fmt_bound(item.top_two, item.top_two.high),
        )
        if summary.compared_with_all:
            row["vs_all_points"], row["vs_all_significant"] = _versus_all(item)
        if wave is not None:
            row.update(_versus_wave(item))
        table.rows.append(row)
    return table


def _wave_columns(number: int) -> list[TableColumn]:
    n = {"n": number}
    return [
        TableColumn("wave_valid_n", _("Valid answers in version %(n)s") % n),
        TableColumn("wave_top_two_percent", _("Top two in version %(n)s (%%)") % n),
        TableColumn(
            "wave_points",
            _("Difference with version %(n)s (points)") % n,
            _("Empty where the wording changed: those figures are not compared."),
        ),
        TableColumn("wave_significant", _("Difference significant")),
        TableColumn("wave_wording", _("Wording against version %(n)s") % n),
    ]


def _versus_wave(item: ItemSummary) -> dict[str, Any]:
    wave = item.wave
    if wave is None:
        return {"wave_wording": _("not in that version")}
    row: dict[str, Any] = {
        "wave_valid_n": wave.valid_n.value,
        "wave_top_two_percent": fmt_percent(wave.top_two),
        "wave_wording": _("wording changed") if wave.wording_changed else _("same"),
    }
    diff = wave.difference
    if diff.hidden:
        row["wave_points"] = HIDDEN_SHARE
    elif diff.value is not None:  # so are its points
        row["wave_points"] = formatting.percent_number(
            diff.value, formatting.PERCENT_DECIMALS_IN_FILES
        )
        row["wave_significant"] = _("yes") if diff.significant else _("no")
    return row


def _versus_all(item: ItemSummary) -> tuple[Any, Any]:
    diff = item.vs_all
    if diff is None:
        return None, None
    if diff.hidden:
        return HIDDEN_SHARE, None
    if diff.value is None:  # nor its points
        return None, None
    points = formatting.percent_number(diff.value, formatting.PERCENT_DECIMALS_IN_FILES)
    return points, _("yes") if diff.significant else _("no")


def _choices_table(summary: SectorSummary) -> SummaryTable:
    table = SummaryTable(
        "choices",
        _("Choice questions"),
        [
            *_code_label(_("Question and option code"), _("Question: option")),
            TableColumn(
                "count",
                _("Respondents"),
                _(
                    "On a question's own row: respondents who answered it; on an "
                    "option's row: respondents who chose it (count)."
                ),
            ),
            TableColumn(
                "percent",
                _("Of those who answered (%)"),
                _("Chose the option, of the respondents who answered (%)."),
            ),
            *_interval_columns("percent", _("Of those who answered")),
        ],
    )
    for choice in summary.choices:
        table.rows.append(
            {
                "code": choice.code,
                "label": choice.text,
                "count": choice.answered.value,
                "percent": None,
            }
        )
        for option in choice.options:
            table.rows.append(
                {
                    "code": f"{choice.code}_{option.code}",
                    "label": f"{choice.text}: {option.label}",
                    "count": option.count.value,
                    "percent": fmt_percent(option.share),
                    **_interval("percent", option.share),
                }
            )
    return table


def _coded_table(summary: SectorSummary) -> SummaryTable:
    coded = summary.coded
    table = SummaryTable(
        "coded_dilemmas",
        _("Coded dilemmas"),
        [
            *_code_label(_("Code"), _("Dilemma")),
            TableColumn(
                "cases",
                _("Cases"),
                _(
                    "Coded cases with a dilemma that carry this code (count); for "
                    "the rows 'coded' and 'with_dilemma' the number of coded cases "
                    "and of those with a dilemma."
                ),
            ),
            TableColumn(
                "percent",
                _("Of the coded cases with a dilemma (%)"),
                _(
                    "Cases carrying the code, of the coded cases with a dilemma "
                    "(%); a case can carry several codes."
                ),
            ),
            *_interval_columns("percent", _("Of the coded cases with a dilemma")),
        ],
    )
    if not coded.available:
        return table
    table.rows.append(
        {
            "code": "coded",
            "label": _("Coded cases")
            + (f" ({_('whole period')})" if coded.whole_period else ""),
            "cases": coded.coded_cases.value,
            "percent": None,
        }
    )
    table.rows.append(
        {
            "code": "with_dilemma",
            "label": _("Coded cases with a dilemma"),
            "cases": coded.dilemma_cases.value,
            "percent": None,
        }
    )
    for code in coded.codes:
        table.rows.append(
            {
                "code": code.key,
                "label": code.label,
                "cases": code.cases.value,
                "percent": fmt_percent(code.share),
                **_interval("percent", code.share),
            }
        )
    return table


def _examples_table(summary: SectorSummary) -> SummaryTable:
    table = SummaryTable(
        "examples",
        _("Examples"),
        [
            *_code_label(_("Number"), _("Codes")),
            TableColumn(
                "description",
                _("Example"),
                _("What happened, rewritten by staff so no one can be recognised."),
            ),
            TableColumn("dilemma", _("Dilemma"), _("What made the case hard.")),
            TableColumn("follow_up", _("Follow-up"), _("What was done next.")),
        ],
    )
    for number, example in enumerate(summary.examples, start=1):
        table.rows.append(
            {
                "code": str(number),
                "label": ", ".join(example.code_keys),
                "description": example.description,
                "dilemma": example.dilemma,
                "follow_up": example.follow_up,
            }
        )
    return table


def _note_table(summary: SectorSummary) -> SummaryTable:
    table = SummaryTable(
        "note",
        _("What stands out"),
        [
            *_code_label(_("Field"), _("Description")),
            TableColumn("text", _("Text"), _("Staff's commentary on the figures.")),
        ],
    )
    if summary.note:
        table.rows.append(
            {"code": "note", "label": _("What stands out"), "text": summary.note}
        )
    return table
