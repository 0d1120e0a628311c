"""The PDF fact sheet (WeasyPrint), laid out like the published childcare sheet.

Sections, as in ../shared/seed: title, the respondents of all sectors and of
this sector, the dilemma chart, the cases with and without dilemma, the most
named coded dilemmas, example cases (Voorbeeld / Dilemma / Opvolging) and
"Wat valt op?". Every figure is the aggregation module's; a hidden figure reads
as its mark (dashboard.queries.marks), the sheet carries the legend and the
disclosure note, and a chart whose valid n is under the threshold is left out.

Rendering fetches nothing from the network: the fetcher serves only files
from the project's static directories, and fonts come from fontconfig
(Debian's fonts-dejavu-core).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.formats import number_format
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from meldcode_survey.dashboard.queries import Cell, SectorSummary, Share, marks

from . import charts

STYLESHEET = "css/factsheet.css"
TOP_CODES = 4
MAX_EXAMPLES = 5


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


def count_text(cell: Cell, threshold: int) -> str:
    if cell.hidden:
        return marks.count_mark(cell, threshold)
    return "" if cell.value is None else number_format(cell.value, force_grouping=True)


def percent_text(share: Share) -> str:
    if share.hidden or share.value is None:
        return ""
    return f"{round(100 * share.value)}%"


def factsheet_context(summary: SectorSummary, *, intro: str) -> dict[str, Any]:
    t = summary.context.threshold
    figures, everyone = summary.figures, summary.all_figures
    scored = [s.label for s in summary.scale if s.value is not None]
    # The most named codes: visible and given at least once, in the module's order.
    coded = [c for c in summary.coded.codes if c.cases.value][:TOP_CODES]
    return {
        "summary": summary,
        "intro": intro,
        "threshold": t,
        "sector_label": figures.label,
        "sector_lower": figures.label.lower(),
        "is_all": figures.is_all,
        "respondents": count_text(figures.respondents, t),
        "applied": count_text(figures.applied, t),
        "cases": count_text(figures.cases, t),
        "all_respondents": count_text(everyone.respondents, t),
        "all_cases": count_text(everyone.cases, t),
        "with_dilemma": count_text(figures.with_dilemma, t),
        "without_dilemma": count_text(figures.without_dilemma, t),
        "with_percent": percent_text(figures.with_dilemma_share),
        "without_percent": percent_text(figures.without_dilemma_share),
        "pie": charts.split_pie(
            figures.with_dilemma_share,
            figures.without_dilemma_share,
            figures.label,
        ),
        "split_colours": charts.SPLIT_COLOURS,
        "legend": charts.legend_colours(scored),
        "bars": [
            {
                "item": item,
                "svg": charts.stacked_bar(item) if item.chart_drawn else "",
                "valid_n": count_text(item.valid_n, t),
            }
            for item in summary.items
        ],
        "top_codes": [
            {
                "code": c,
                "percent": percent_text(c.share),
                "cases": count_text(c.cases, t),
            }
            for c in coded
        ],
        "coded_cases": count_text(summary.coded.coded_cases, t),
        "examples": summary.examples[:MAX_EXAMPLES],
        "disclosure_note": marks.disclosure_note(summary.context),
        "disclosure_legend": marks.legend(summary.context),
    }


def render_factsheet_html(summary: SectorSummary, *, intro: str) -> str:
    return render_to_string(
        "exports/factsheet.html", factsheet_context(summary, intro=intro)
    )


def write_factsheet_pdf(path: Path, summary: SectorSummary, *, intro: str) -> int:
    """Render the fact sheet to `path`; returns the number of pages."""
    fetcher = StaticOnlyFetcher()
    stylesheet = finders.find(STYLESHEET)
    if not stylesheet:
        raise FileNotFoundError(STYLESHEET)
    html = HTML(
        string=render_factsheet_html(summary, intro=intro),
        base_url=Path(stylesheet).parent.as_uri() + "/",
        url_fetcher=fetcher,
    )
    document = html.render(stylesheets=[CSS(filename=stylesheet, url_fetcher=fetcher)])
    document.write_pdf(path)
    return len(document.pages)
