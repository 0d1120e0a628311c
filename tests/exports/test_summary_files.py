"""Sector summaries in every format carry the aggregation module's figures,
with its disclosure control: read back with csv, openpyxl and pypdf."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from meldcode_survey.dashboard import formatting
from meldcode_survey.exports.writers import load_summary
from meldcode_survey.questionnaires.sectors import ALL

from .conftest import (
    BIG_N,
    BIG_SECTOR,
    EXAMPLE_TEXT,
    NOTE_TEXT,
    SMALL_N,
    SMALL_SECTOR,
)

pytestmark = pytest.mark.django_db


def _expected(cell):
    return "" if cell.value is None else str(cell.value)


def _csv_figures(export) -> dict[tuple[str, str, str], str]:
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["table", "code", "label", "measure", "measure_label", "value"]
    return {
        (t, code, measure): value
        for t, code, _label, measure, _measure_label, value in rows[1:]
    }


def _pdf_text(export) -> str:
    with export.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_summary_csv_holds_every_figure_of_the_module(coded_data, build):
    export = build(coded_data, kind="summary", format="csv", sector=BIG_SECTOR)
    summary = load_summary(export)
    figures = _csv_figures(export)

    for f, code in ((summary.figures, BIG_SECTOR), (summary.all_figures, "all")):
        for measure in ("respondents", "applied", "cases", "with_dilemma"):
            cell = getattr(f, measure)
            assert figures["respondents", code, measure] == _expected(cell)
    for item in summary.items:
        for point in item.points:
            key = ("items", item.code, f"count_{point.value}")
            assert figures[key] == _expected(point.count)
        assert figures["items", item.code, "valid_n"] == _expected(item.valid_n)
        assert figures["items", item.code, "not_applicable"] == _expected(
            item.not_applicable.count
        )
    for code in summary.coded.codes:
        assert figures["coded_dilemmas", code.key, "cases"] == _expected(code.cases)
    assert figures["examples", "1", "description"] == EXAMPLE_TEXT
    # An example's text that looks like a formula is neutralised.
    assert figures["examples", "1", "follow_up"].startswith("'=")
    assert figures["note", "note", "text"] == NOTE_TEXT
    # And the module's figures are the true ones where they are shown.
    assert figures["respondents", "all", "respondents"] == str(BIG_N + SMALL_N)


def test_a_small_sector_reads_10_in_every_analyst_file(survey_data, build):
    csv_export = build(survey_data, kind="summary", format="csv", sector=SMALL_SECTOR)
    xlsx_export = build(survey_data, kind="summary", format="xlsx", sector=SMALL_SECTOR)
    pdf_export = build(survey_data, kind="summary", format="pdf", sector=SMALL_SECTOR)
    summary = load_summary(csv_export)
    # The tests' ptable has no noise: the module publishes 3 respondents as 10.
    assert summary.figures.respondents.value == 10

    figures = _csv_figures(csv_export)
    assert figures["respondents", SMALL_SECTOR, "respondents"] == "10"
    assert str(SMALL_N) not in {
        v for (t, code, _m), v in figures.items() if t == "respondents"
    }
    assert not any(v.startswith("<") for v in figures.values())
    # Its shares rest on a base under 20: "x".
    assert figures["respondents", SMALL_SECTOR, "applied_percent"] == "x"

    with xlsx_export.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()), read_only=True)
    sheet = book[[n for n in book.sheetnames if "espond" in n][0]]
    rows = list(sheet.iter_rows(values_only=True))
    mine = next(r for r in rows if r[0] == SMALL_SECTOR)
    assert mine[2] == 10
    assert SMALL_N not in mine

    text = _pdf_text(pdf_export)
    assert "10 professionals" in text and "< 10" not in text
    assert f" {SMALL_N} professionals" not in text


def test_staff_unsuppressed_summary_shows_the_true_small_counts(survey_data, build):
    export = build(
        survey_data,
        kind="summary",
        format="csv",
        sector=SMALL_SECTOR,
        unsuppressed=True,
    )
    figures = _csv_figures(export)
    assert figures["respondents", SMALL_SECTOR, "respondents"] == str(SMALL_N)
    assert figures["context", "suppression", "value"] != "Suppressed"
    assert "onderdrukking-uit" in export.filename


def test_xlsx_has_a_sheet_per_table_a_codebook_and_a_note(coded_data, build):
    export = build(coded_data, kind="summary", format="xlsx", sector=BIG_SECTOR)
    summary = load_summary(export)
    with export.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert len(book.sheetnames) == 9  # read me, 7 tables, codebook
    about = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and "afgerond/verstoord" in c for c in about)
    codebook = list(book.worksheets[-1].iter_rows(min_row=2, values_only=True))
    assert {"respondents", "valid_n", "top_two_percent", "cases"} <= {
        row[1] for row in codebook
    }
    # The codebook names the column that holds each figure.
    sheet_name, _id, header, _table, _definition = next(
        row for row in codebook if row[1] == "valid_n" and row[3] == "items"
    )
    # Every measure is defined, and so is every mark for a hidden figure.
    measures = [row for row in codebook if row[3] and row[1] not in ("code", "label")]
    assert measures and all(row[4] for row in measures)
    marks = {row[1]: row[4] for row in codebook if row[0] == "Markering"}
    assert {"0", "10 tot 22", "x"} <= set(marks) and all(marks.values())
    items = book[sheet_name]
    column = [c.value for c in items[1]].index(header)
    for row in items.iter_rows(min_row=2, values_only=True):
        item = next(i for i in summary.items if i.code == row[0])
        assert row[column] == item.valid_n.value


def test_pdf_fact_sheet_reproduces_the_sections_from_the_data(coded_data, build):
    export = build(
        coded_data,
        kind="summary",
        format="pdf",
        sector=BIG_SECTOR,
        unsuppressed=True,
    )
    summary = load_summary(export)
    text = _pdf_text(export)
    assert export.filename.endswith(".pdf")
    assert f"{BIG_N} professionals" in text
    assert f"{BIG_N + SMALL_N} professionals" in text  # all sectors
    assert summary.figures.label.lower() in text
    assert summary.items[0].text in text  # the dilemma chart's labels
    assert str(summary.figures.with_dilemma.value) in text
    top = next(c for c in summary.coded.codes if c.cases.value)
    assert top.label in text
    assert EXAMPLE_TEXT in text
    assert NOTE_TEXT in text


def test_pdf_fetcher_refuses_everything_but_static_files(settings):
    from meldcode_survey.exports.writers.pdf import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher()
    for url in ("https://example.org/font.woff", "http://127.0.0.1/x.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    css = settings.BASE_DIR / "static" / "css" / "factsheet.css"
    response = fetcher.fetch(css.as_uri())
    assert b"@page" in response.read()
    response.close()


def test_all_sectors_fact_sheet_counts_everyone(survey_data, build):
    export = build(survey_data, kind="summary", format="pdf", sector=ALL)
    summary = load_summary(export)
    assert summary.figures.is_all
    text = _pdf_text(export)
    assert f"{BIG_N + SMALL_N} professionals" in text
    assert "alle-sectoren" in export.filename


def test_files_carry_the_dashboards_intervals_and_labelled_measures(coded_data, build):
    export = build(
        coded_data, kind="summary", format="csv", sector=BIG_SECTOR, unsuppressed=True
    )
    summary = load_summary(export)
    with export.file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    by_key = {(r[0], r[1], r[3]): r for r in rows[1:]}
    # Every share that the dashboard gives an interval has its bounds here.
    applied = by_key["respondents", BIG_SECTOR, "applied_low"]
    assert applied[4] and applied[4] != "applied_low"  # the measure's label
    top = next(c for c in summary.coded.codes if c.share.low is not None)
    low = by_key["coded_dilemmas", top.key, "percent_low"][5]
    high = by_key["coded_dilemmas", top.key, "percent_high"][5]
    assert (float(low), float(high)) == (
        formatting.percent_number(top.share.low, 1),
        formatting.percent_number(top.share.high, 1),
    )
    assert by_key["coded_dilemmas", "with_dilemma", "cases"][5] == str(
        summary.coded.dilemma_cases.value
    )


def test_the_read_me_says_when_the_data_are_synthetic(seed_version, submit_now, build):
    from tests.conftest import complete_answers

    for _ in range(3):
        submit_now(seed_version, complete_answers())
    from meldcode_survey.responses.models import Response

    Response.objects.filter(version=seed_version).update(is_synthetic=True)
    from meldcode_survey.dashboard.services import rollups_rebuild

    rollups_rebuild()
    export = build(seed_version, kind="summary", format="xlsx", include_synthetic=True)
    with export.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()), read_only=True)
    about = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and c.startswith("SYNTHETISCHE DATA") for c in about)
