"""The same cell reads the same for an analyst on the page and in every file.

Figures go through the generated ptable (with noise), and each output computes
its summary on its own (no shared memo), so equal figures mean one rule.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from meldcode_survey.dashboard.queries import marks, sector_summary

from .conftest import BIG_SECTOR

pytestmark = [pytest.mark.django_db, pytest.mark.perturbed]


@pytest.fixture(autouse=True)
def memo_summaries():
    """Not memoised here: every output computes its own figures."""


def _read(export) -> bytes:
    with export.file.open("rb") as handle:
        return handle.read()


def _text(cell) -> str:
    return marks.count_mark(cell, 10) if cell.hidden else str(cell.value)


def test_a_cell_reads_the_same_on_the_page_and_in_csv_xlsx_and_pdf(
    survey_data, build, analyst_client
):
    summary = sector_summary(version=survey_data, sector=BIG_SECTOR)
    respondents = _text(summary.figures.respondents)
    everyone = _text(summary.all_figures.respondents)
    valid_n = {item.code: _text(item.valid_n) for item in summary.items}
    assert respondents != "< 10"

    url = reverse("dashboard:sector", args=[survey_data.questionnaire.slug, BIG_SECTOR])
    page = analyst_client.get(url, {"version": survey_data.pk}).content.decode()
    assert f'<p class="key-figure">{respondents}</p>' in page

    files = {
        f: build(survey_data, kind="summary", format=f, sector=BIG_SECTOR)
        for f in ("csv", "xlsx", "pdf")
    }
    rows = csv.DictReader(io.StringIO(_read(files["csv"]).decode("utf-8-sig")))
    figures = {(r["table"], r["code"], r["measure"]): r["value"] for r in rows}
    assert figures["respondents", BIG_SECTOR, "respondents"] == respondents
    assert figures["respondents", "all", "respondents"] == everyone
    for code, n in valid_n.items():
        assert figures["items", code, "valid_n"] == n

    book = load_workbook(io.BytesIO(_read(files["xlsx"])), read_only=True)
    sheet = book[[n for n in book.sheetnames if "espond" in n][0]]
    mine = next(r for r in sheet.iter_rows(values_only=True) if r[0] == BIG_SECTOR)
    assert str(mine[2]) == respondents

    reader = PdfReader(io.BytesIO(_read(files["pdf"])))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert re.search(rf"\b{respondents} professionals", text)
    # Every output carries the note on what was done to the figures.
    note = marks.disclosure_note(summary.context)
    assert "afgerond/verstoord" in note
    assert "afgerond/verstoord" in page
    assert any("afgerond/verstoord" in v for v in figures.values())
    assert "afgerond/verstoord" in text
    cells = (
        str(v)
        for ws in book.worksheets
        for r in ws.iter_rows(values_only=True)
        for v in r
    )
    assert any("afgerond/verstoord" in v for v in cells)
