"""Which case texts reach the analyst: an approved example that the thorough
screening passed does, in the sector page and every summary file; an
unapproved one, or one a later screening flagged, does not; and the
respondent's own narrative never does."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import IntegrityError, transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from meldcode_survey.accounts.roles import STAFF
from meldcode_survey.dashboard.queries import sector_summary
from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.responses.screening import Flag, Kind
from meldcode_survey.review import services
from meldcode_survey.review.models import Redaction
from meldcode_survey.review.services import (
    redaction_approve,
    redaction_save,
    redaction_set_example,
)
from tests.factories import UserFactory, screened_clean

from .conftest import BIG_SECTOR

pytestmark = pytest.mark.django_db

APPROVED = "Goedgekeurd voorbeeld: het kind kwam zonder jas naar school."
UNAPPROVED = "Niet goedgekeurd: een kind met blauwe plekken op de arm."
FLAGGED = "Later gemarkeerd: de moeder belde vaak de mentor."
RAW = "Eigen woorden van de respondent"


@pytest.fixture
def examples(survey_data, staff_user, monkeypatch):
    """Three redactions of childcare cases, and a raw text on every narrative."""
    narratives = list(
        CaseNarrative.objects.filter(
            response__version=survey_data, response__sector=BIG_SECTOR
        ).order_by("pk")
    )
    for index, narrative in enumerate(narratives):
        CaseNarrative.objects.filter(pk=narrative.pk).update(
            description=f"{RAW} {index}, over het kind.",
            dilemma=f"{RAW} {index}, het dilemma.",
            follow_up=f"{RAW} {index}, de opvolging.",
        )
    approver = UserFactory(role=STAFF, is_staff=True)

    def example(narrative, text: str) -> Redaction:
        redaction = screened_clean(
            redaction_save(
                narrative=narrative, writer=staff_user, texts={"description": text}
            )
        )
        redaction_approve(redaction=redaction, approver=approver)
        return redaction_set_example(
            redaction=redaction, is_example=True, user=approver
        )

    example(narratives[0], APPROVED)
    # Written and screened, but not approved: no example, and the database
    # refuses to make it one.
    unapproved = screened_clean(
        redaction_save(
            narrative=narratives[1],
            writer=staff_user,
            texts={"description": UNAPPROVED},
        )
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Redaction.objects.filter(pk=unapproved.pk).update(is_example=True)
    # Approved, then a later screening (say, after an upgrade of deduce) finds a
    # name: the approval and the example status are withdrawn.
    flagged = example(narratives[2], FLAGGED)
    name = Flag(Kind.NAME, 0, 5, FLAGGED[:5])
    monkeypatch.setattr(
        services, "thorough_screen", lambda text: [name] if text == FLAGGED else []
    )
    assert services.redaction_screen(flagged.pk)
    flagged.refresh_from_db()
    assert not flagged.is_approved and not flagged.is_example
    return survey_data


def _pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def _csv_text(content: bytes) -> str:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return " ".join(cell for row in rows for cell in row)


READERS = {"pdf": _pdf_text, "xlsx": _xlsx_text, "csv": _csv_text}


def _assert_only_the_approved_example(text: str, where: str) -> None:
    assert APPROVED in text, where
    for withheld in (UNAPPROVED, FLAGGED, RAW):
        assert withheld not in text, f"{withheld!r} in {where}"


def test_only_the_approved_screened_example_reaches_the_sector_summary(examples):
    summary = sector_summary(version=examples, sector=BIG_SECTOR)

    assert [e.description for e in summary.examples] == [APPROVED]


def test_only_the_approved_screened_example_reaches_the_analysts_page(
    examples, analyst_client
):
    page = analyst_client.get(f"/dashboard/{examples.questionnaire.slug}/{BIG_SECTOR}/")

    assert page.status_code == 200
    _assert_only_the_approved_example(page.content.decode(), "the sector page")


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_only_the_approved_screened_example_reaches_the_summary_files(
    examples, build, fmt
):
    export = build(examples, kind="summary", format=fmt, sector=BIG_SECTOR)
    with export.file.open("rb") as handle:
        text = READERS[fmt](handle.read())

    _assert_only_the_approved_example(text, export.filename)
