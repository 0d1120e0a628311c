"""Formula neutralisation: a pure function, and what it does in written files."""

import csv
import io

import pytest
from openpyxl import load_workbook

from meldcode_survey.exports.writers.csv import write_csv
from meldcode_survey.exports.writers.neutralise import neutralise
from meldcode_survey.exports.writers.summary import SummaryTable, TableColumn
from meldcode_survey.exports.writers.xlsx import write_summary_xlsx


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+31 6 1234", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("x")'],
)
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Kinderopvang", "", " =1", "a=b", "'quoted", "1-2"])
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [-3, 0, 2.5, None, True])
def test_numbers_and_empty_cells_are_left_alone(value):
    assert neutralise(value) == value


def test_csv_cells_are_neutralised_and_negative_numbers_stay_numbers(tmp_path):
    path = tmp_path / "out.csv"
    write_csv(path, ["=header", "n"], [["@evil", -5], ["fine", 3]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    assert b"\r\n" in raw  # RFC 4180 line ends
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["'=header", "n"], ["'@evil", "-5"], ["fine", "3"]]


def test_xlsx_cells_are_neutralised(tmp_path):
    table = SummaryTable(
        "t",
        "=Sheet",
        [
            TableColumn("code", "+code"),
            TableColumn("label", "label"),
            TableColumn("v", "v"),
        ],
        rows=[{"code": "-1", "label": "=cmd|' /C calc'!A0", "v": -4}],
    )
    path = tmp_path / "out.xlsx"
    write_summary_xlsx(path, [table], title="@title", note="\tnote")
    book = load_workbook(path)
    texts = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    assert texts, "the workbook has text cells"
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    data = book["=Sheet"]
    assert data.cell(row=2, column=3).value == -4


@pytest.mark.django_db
def test_raw_csv_cells_are_neutralised(survey_data, build):
    from meldcode_survey.responses.models import CaseNarrative

    narrative = CaseNarrative.objects.filter(response__version=survey_data).first()
    narrative.dilemma = "-kind zei niets"
    narrative.save()
    export = build(survey_data, kind="raw", format="csv", include_free_text=True)
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert '\'=HYPERLINK("http://evil")' in [row["beroep"] for row in rows]
    assert "'-kind zei niets" in [row["casus_dilemma"] for row in rows]
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
