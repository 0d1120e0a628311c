"""Raw data: a row per response, a column per question code, CSV and SPSS."""

from __future__ import annotations

import csv
import io
import math
from datetime import timedelta

import pyreadstat
import pytest
from django.db import connection
from django.utils import timezone

from meldcode_survey.exports.writers.csv import write_raw_csv
from meldcode_survey.exports.writers.pgcopy import write_raw_csv_copy
from meldcode_survey.exports.writers.raw import (
    RawLayout,
    RawSelection,
    iter_rows,
    variable_name,
)
from meldcode_survey.questionnaires.models import Question
from meldcode_survey.responses.models import Answer, CaseNarrative, Response
from tests import factories

from .conftest import BIG_N, BIG_SECTOR, SMALL_N, SMALL_SECTOR

pytestmark = pytest.mark.django_db


def _csv_rows(export) -> list[dict[str, str]]:
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_raw_csv_has_a_row_per_response_and_a_column_per_question_code(
    survey_data, build
):
    export = build(survey_data, kind="raw", format="csv")
    rows = _csv_rows(export)
    assert len(rows) == BIG_N + SMALL_N == export.rows
    first = rows[0]
    assert list(first)[:3] == ["response_id", "version", "submitted_on"]
    assert {"sector", "ervaring", "toegepast", "D01", "D10", "casus_stap"} <= set(first)
    by_id = {int(r["response_id"]): r for r in rows}
    response = Response.objects.filter(sector=SMALL_SECTOR).order_by("pk").first()
    row = by_id[response.pk]
    assert row["sector"] == SMALL_SECTOR
    assert row["ervaring"] == "5_10"  # single choice: the stable choice code
    assert row["toegepast"] == "1"
    assert row["D01"] == "1"
    assert row["D10"] == "9"  # n.v.t.: the labelled missing value
    assert row["submitted_on"] == response.submitted_on.isoformat()
    not_applied = next(r for r in rows if r["toegepast"] == "0")
    assert not_applied["casus_stap"] == ""  # a question never shown


def test_free_text_only_in_the_variant_with_free_text(survey_data, build):
    without = _csv_rows(build(survey_data, kind="raw", format="csv"))
    assert not {"beroep", "casus_voorbeeld", "casus_dilemma", "tips"} & set(without[0])

    export = build(survey_data, kind="raw", format="csv", include_free_text=True)
    rows = _csv_rows(export)
    assert {"beroep", "casus_voorbeeld", "casus_dilemma", "casus_opvolging"} <= set(
        rows[0]
    )
    assert rows[0]["beroep"].startswith("'=HYPERLINK")  # neutralised
    assert rows[1]["casus_voorbeeld"].startswith("Een kind kwam vaak")
    assert "met-vrije-tekst" in export.filename


def test_synthetic_responses_are_left_out_unless_asked(survey_data, build):
    synthetic = factories.ResponseFactory(version=survey_data, is_synthetic=True)
    real = _csv_rows(build(survey_data, kind="raw", format="csv"))
    assert str(synthetic.pk) not in {r["response_id"] for r in real}

    export = build(survey_data, kind="raw", format="csv", include_synthetic=True)
    rows = _csv_rows(export)
    assert [r["response_id"] for r in rows] == [str(synthetic.pk)]
    assert "SYNTHETISCH" in export.filename


def test_sector_and_period_select_the_rows(survey_data, build):
    old = Response.objects.filter(sector=BIG_SECTOR).order_by("pk").first()
    old.submitted_on = timezone.localdate() - timedelta(days=400)
    old.save()
    rows = _csv_rows(build(survey_data, kind="raw", format="csv", sector=BIG_SECTOR))
    assert len(rows) == BIG_N
    rows = _csv_rows(
        build(
            survey_data,
            kind="raw",
            format="csv",
            period_from=timezone.localdate() - timedelta(days=30),
        )
    )
    assert len(rows) == BIG_N + SMALL_N - 1
    assert str(old.pk) not in {r["response_id"] for r in rows}


def _multiple_choice_version():
    section = factories.SectionFactory()
    question = factories.QuestionFactory(
        section=section, code="kanalen", type=Question.Type.MULTIPLE_CHOICE
    )
    choices = [
        factories.ChoiceFactory(question=question, code=code, position=i)
        for i, code in enumerate(["mail", "telefoon", "gesprek"])
    ]
    return section.version, question, choices


def test_multiple_choice_is_a_0_1_column_per_option(build):
    version, question, (mail, telefoon, gesprek) = _multiple_choice_version()
    both = factories.ResponseFactory(version=version)
    Answer.objects.create(response=both, question=question, choice=mail)
    Answer.objects.create(response=both, question=question, choice=gesprek)
    unanswered = factories.ResponseFactory(version=version)

    rows = {
        int(r["response_id"]): r
        for r in _csv_rows(build(version, kind="raw", format="csv"))
    }
    assert rows[both.pk]["kanalen_mail"] == "1"
    assert rows[both.pk]["kanalen_telefoon"] == "0"
    assert rows[both.pk]["kanalen_gesprek"] == "1"
    assert rows[unanswered.pk]["kanalen_mail"] == ""  # not answered: missing


def test_sav_has_variable_labels_value_labels_and_a_missing_nvt(
    survey_data, build, tmp_path
):
    export = build(survey_data, kind="raw", format="sav")
    path = tmp_path / "read.sav"
    with export.file.open("rb") as handle:
        path.write_bytes(handle.read())
    data, meta = pyreadstat.read_sav(str(path), output_format="dict", user_missing=True)
    csv_rows = _csv_rows(build(survey_data, kind="raw", format="csv"))

    assert meta.number_rows == BIG_N + SMALL_N
    assert meta.column_names == list(csv_rows[0])
    d01 = Question.objects.get(version=survey_data, code="D01")
    assert meta.column_names_to_labels["D01"] == d01.text
    assert meta.variable_value_labels["D01"][1.0] == "Helemaal niet"
    assert meta.variable_value_labels["D01"][9.0] == "Weet ik niet / n.v.t."
    assert meta.missing_ranges["D01"] == [{"lo": 9.0, "hi": 9.0}]
    assert meta.variable_value_labels["sector"]["kinderopvang"] == "Kinderopvang"
    yes_no = meta.variable_value_labels["toegepast"]
    assert set(yes_no) == {0.0, 1.0} and yes_no[0.0] != yes_no[1.0]
    assert meta.readstat_variable_types["D01"] == "double"
    assert meta.readstat_variable_types["sector"] == "string"
    # The same values as the CSV, row by row.
    for index, row in enumerate(csv_rows):
        for name in ("response_id", "sector", "D01", "D10", "casus_stap", "toegepast"):
            value = data[name][index]
            if isinstance(value, float):
                value = "" if math.isnan(value) else str(int(value))
            assert (value or "") == row[name], (name, index)
    assert str(data["submitted_on"][0])[:10] == csv_rows[0]["submitted_on"]


def test_raw_rows_are_read_in_chunks_with_the_same_result(survey_data):
    layout = RawLayout(survey_data, free_text=True)
    selection = RawSelection(version=survey_data, free_text=True)
    seen = []
    small = list(iter_rows(layout, selection, chunk_size=4, progress=seen.append))
    large = list(iter_rows(layout, selection, chunk_size=1000))
    assert small == large
    assert [row[0] for row in small] == sorted(row[0] for row in small)
    assert seen == pytest.approx([4 / 15, 8 / 15, 12 / 15, 1.0])


@pytest.mark.parametrize(
    ("code", "expected"),
    [("D01", "D01"), ("casus-voorbeeld", "casus_voorbeeld"), ("1e_keer", "v1e_keer")],
)
def test_variable_names_are_valid_for_spss(code, expected):
    assert variable_name(code, set()) == expected


def test_variable_names_stay_unique():
    taken: set[str] = set()
    assert variable_name("a-b", taken) == "a_b"
    assert variable_name("a_b", taken) == "a_b_2"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL COPY")
@pytest.mark.parametrize(
    "selection",
    [
        {},
        {"free_text": True},
        {"free_text": True, "sector": SMALL_SECTOR},
    ],
)
def test_the_copy_csv_is_the_python_csv_byte_for_byte(survey_data, tmp_path, selection):
    narrative = CaseNarrative.objects.filter(response__version=survey_data).first()
    narrative.description = 'Zei: "nee"\nen liep weg,\r\n toen\t-later'
    narrative.dilemma = "@kind"
    narrative.follow_up = ""
    narrative.save()
    chosen = RawSelection(version=survey_data, **selection)
    layout = RawLayout(survey_data, free_text=chosen.free_text)
    python, copied = tmp_path / "python.csv", tmp_path / "copy.csv"
    write_raw_csv(python, layout, iter_rows(layout, chosen))
    beats: list[float] = []
    rows = write_raw_csv_copy(
        copied, layout, chosen, progress=beats.append, chunk_size=4
    )
    assert copied.read_bytes() == python.read_bytes()
    assert rows == chosen.responses().count() > 0
    assert beats and beats[-1] == 1.0
