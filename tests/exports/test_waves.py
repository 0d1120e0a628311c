"""Every summary file carries the wave before, with reworded items marked."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from meldcode_survey.exports.writers import load_summary
from meldcode_survey.exports.writers.summary import fmt_percent
from meldcode_survey.questionnaires.models import Question
from meldcode_survey.questionnaires.services import version_copy, version_publish

from .conftest import BIG_N, BIG_SECTOR, _answers
from .test_summary_files import _csv_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_wave(survey_data, submit_now):
    draft = version_copy(survey_data)
    d01 = Question.objects.get(version=draft, code="D01")
    d01.text = "Twijfel over wat ik zie"
    d01.text_en = "Doubt about what I see"
    d01.save()
    second = version_publish(draft)
    for i in range(BIG_N):
        submit_now(second, _answers(i, BIG_SECTOR))
    return second


def test_csv_marks_the_reworded_item_and_compares_the_others(second_wave, build):
    export = build(
        second_wave, kind="summary", format="csv", sector=BIG_SECTOR, unsuppressed=True
    )
    summary = load_summary(export)
    assert summary.compare_version_number == 1
    figures = _csv_figures(export)
    assert figures["items", "D01", "wave_wording"] == "formulering gewijzigd"
    assert figures["items", "D01", "wave_points"] == ""
    d01 = next(i for i in summary.items if i.code == "D01")
    assert figures["items", "D01", "wave_top_two_percent"] == str(
        fmt_percent(d01.wave.top_two)
    )
    assert figures["items", "D02", "wave_wording"] == "gelijk"
    assert figures["items", "D02", "wave_points"] == "0.0"


def test_xlsx_marks_the_reworded_item(second_wave, build):
    export = build(second_wave, kind="summary", format="xlsx", sector=BIG_SECTOR)
    with export.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    rows = [
        row
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row and row[0] == "D01"
    ]
    assert any("formulering gewijzigd" in row for row in rows)


def test_pdf_marks_the_reworded_item_and_fits_the_page(second_wave, build):
    export = build(second_wave, kind="summary", format="pdf", sector=BIG_SECTOR)
    with export.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Vergeleken met versie 1" in text
    assert "formulering gewijzigd" in text
    right_edges, page_edge = _waves_table_edges(load_summary(export))
    assert right_edges and max(right_edges) <= page_edge


def _waves_table_edges(summary) -> tuple[list[float], float]:
    """Right edges of the wave table's boxes, and of the page's content area."""
    from pathlib import Path

    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    from meldcode_survey.exports.writers.pdf import (
        STYLESHEET,
        FactsheetTexts,
        StaticOnlyFetcher,
        render_factsheet_html,
    )

    fetcher = StaticOnlyFetcher()
    stylesheet = finders.find(STYLESHEET)
    document = HTML(
        string=render_factsheet_html(summary, FactsheetTexts()),
        base_url=Path(stylesheet).parent.as_uri() + "/",
        url_fetcher=fetcher,
    ).render(stylesheets=[CSS(filename=stylesheet, url_fetcher=fetcher)])
    edges, page_edge = [], 0.0
    for page in document.pages:
        root = page._page_box
        page_edge = root.content_box_x() + root.width
        stack = [(root, False)]
        while stack:
            box, inside = stack.pop()
            element = getattr(box, "element", None)
            classes = (element.get("class") or "") if element is not None else ""
            inside = inside or "waves-table" in classes
            if inside:
                edges.append(box.position_x + box.margin_width())
            stack.extend((child, inside) for child in getattr(box, "children", []))
    return edges, page_edge


def test_the_first_wave_has_no_wave_columns(survey_data, build):
    export = build(survey_data, kind="summary", format="csv", sector=BIG_SECTOR)
    assert not any(m.startswith("wave_") for (_t, _c, m) in _csv_figures(export))
