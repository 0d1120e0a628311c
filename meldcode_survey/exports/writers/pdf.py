"""The PDF fact sheet (WeasyPrint), laid out like the published childcare sheet.

Two A4 pages. Page one: the survey's introduction, the responses of all
sectors with the sectors they came from, the responses of this sector and the
dilemma chart. Page two: the cases with and without dilemma, the coded
dilemmas named most, example cases (Voorbeeld / Dilemma / Opvolging), "Wat
valt op?" and "Meer informatie?". More examples or longer texts flow on to a
further page with the same running header and footer; no chart, row or box
is split (factsheet.css).

Every figure is the aggregation module's, written by dashboard.formatting and
drawn by dashboard.charts, as on the dashboard; a hidden figure reads as its
mark, and the sheet carries the legend and the disclosure note
(dashboard.queries.marks). The texts are questionnaire
data that staff edit in the admin (`FactsheetTexts`), the commentary is the
sector note.

The file is a tagged PDF/UA-1: document language and title from the HTML, a
structure tree in reading order, and each chart's figures in words as its
alternative text. Rendering fetches nothing from the network: the fetcher
serves only files from the project's static directories, and fonts come from
fontconfig (Debian's fonts-dejavu-core).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from meldcode_survey.dashboard import charts, formatting
from meldcode_survey.dashboard.queries import SectorSummary, marks
from meldcode_survey.dashboard.queries.types import last_day
from meldcode_survey.questionnaires.models import Version

STYLESHEET = "css/factsheet.css"
PDF_VARIANT = "pdf/ua-1"
TOP_CODES = 4
MAX_EXAMPLES = 5
MAIN_SECTORS = 7


@dataclass(frozen=True)
class FactsheetTexts:
    """The sheet's texts in the active language: the questionnaire's fact-sheet
    fields, the introduction falling back on the version's."""

    intro: str = ""
    dilemma_source: str = ""
    more_information: str = ""
    source: str = ""

    @classmethod
    def of(cls, version: Version) -> FactsheetTexts:
        questionnaire = version.questionnaire
        return cls(
            intro=questionnaire.tr("factsheet_intro") or version.tr("intro"),
            dilemma_source=questionnaire.tr("dilemma_source"),
            more_information=questionnaire.tr("more_information"),
            source=questionnaire.tr("source"),
        )


class StaticOnlyFetcher(URLFetcher):
    """Serves files from the static directories; refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        roots = [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]
        self.roots = [Path(root).resolve() for root in roots if root]

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.startswith("file://"):
            raise ValueError(f"Not fetched in a fact sheet: {url}")
        path = Path(url.removeprefix("file://").split("?")[0]).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"Not a static file: {url}")
        return super().fetch(url, headers)


def data_until(summary: SectorSummary) -> date | None:
    """The last day the figures cover: the period's end, else the last month."""
    period = summary.context.period
    if period.date_to is not None:
        return period.date_to
    return last_day(period.months[-1]) if period.months else None


def factsheet_context(summary: SectorSummary, texts: FactsheetTexts) -> dict[str, Any]:
    figures, everyone = summary.figures, summary.all_figures
    count = formatting.count_text
    # The most named codes: given at least once, in the module's order.
    coded = [c for c in summary.coded.codes if c.cases.value][:TOP_CODES]
    return {
        "summary": summary,
        "context": summary.context,
        "texts": texts,
        "min_base": summary.context.min_base,
        "has_responses": bool(summary.context.period.months),
        "data_until": data_until(summary),
        "sector_label": figures.label,
        "sector_lower": figures.label.lower(),
        "is_all": figures.is_all,
        "respondents": count(figures.respondents),
        "applied": count(figures.applied),
        "cases": count(figures.cases),
        "compared_with_all": summary.compared_with_all,
        "shows_all_sectors": everyone is not None,
        "all_respondents": count(everyone.respondents) if everyone else "",
        "all_cases": count(everyone.cases) if everyone else "",
        "main_sectors": [
            {"label": f.label, "respondents": count(f.respondents)}
            for f in summary.sector_figures[:MAIN_SECTORS]
        ],
        "chart": charts.stacked_chart(
            summary.items, summary.scale, min_base=summary.context.min_base
        ),
        "pie": charts.split_pie(figures),
        # Why there is no pie: only a hidden share earns the "fewer than" line.
        "pie_hidden": figures.with_dilemma_share.hidden
        or figures.without_dilemma_share.hidden,
        "top_codes": [
            {
                "code": c,
                "percent": formatting.percent_text(c.share),
                "in_words": formatting.share_in_words(c.share),
                "cases": count(c.cases),
            }
            for c in coded
        ],
        "coded_available": summary.coded.available,
        "coded_whole_period": summary.coded.whole_period,
        "coded_cases": count(summary.coded.coded_cases),
        "dilemma_cases": count(summary.coded.dilemma_cases),
        "examples": summary.examples[:MAX_EXAMPLES],
        "waves": _wave_rows(summary),
        "disclosure_note": marks.disclosure_note(summary.context),
        "disclosure_legend": marks.legend(summary.context),
    }


def _wave_rows(summary: SectorSummary) -> list[dict[str, Any]]:
    """Each item beside the wave before; a reworded one is marked, not compared."""
    rows = []
    for item in summary.items:
        wave = item.wave
        difference = formatting.points_text(wave.difference) if wave else ""
        rows.append(
            {
                "item": item,
                "now": formatting.percent_text(item.top_two),
                "then": formatting.percent_text(wave.top_two) if wave else "",
                "difference": difference,
                "significant": bool(wave and wave.difference.significant),
                "wording_changed": bool(wave and wave.wording_changed),
                "missing": wave is None,
            }
        )
    return rows if summary.compare_version_number is not None else []


def render_factsheet_html(summary: SectorSummary, texts: FactsheetTexts) -> str:
    return render_to_string("exports/factsheet.html", factsheet_context(summary, texts))


def render_factsheet(summary: SectorSummary, texts: FactsheetTexts) -> Any:
    """The laid-out document (WeasyPrint's), before it is written."""
    fetcher = StaticOnlyFetcher()
    stylesheet = finders.find(STYLESHEET)
    if not stylesheet:
        raise FileNotFoundError(STYLESHEET)
    html = HTML(
        string=render_factsheet_html(summary, texts),
        base_url=Path(stylesheet).parent.as_uri() + "/",
        url_fetcher=fetcher,
    )
    return html.render(stylesheets=[CSS(filename=stylesheet, url_fetcher=fetcher)])


def write_factsheet_pdf(
    path: Path, summary: SectorSummary, texts: FactsheetTexts
) -> int:
    """Render the fact sheet to `path` as PDF/UA; returns the number of pages."""
    document = render_factsheet(summary, texts)
    document.write_pdf(path, pdf_variant=PDF_VARIANT)
    return len(document.pages)
