"""The PDF fact sheet as a publication: the published sheet's two pages, nothing
split, tagged PDF/UA, the same figures as the dashboard and the XLSX."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from meldcode_survey.dashboard import formatting
from meldcode_survey.dashboard.queries import marks
from meldcode_survey.exports.writers import load_summary
from meldcode_survey.exports.writers.pdf import FactsheetTexts, render_factsheet

from .conftest import BIG_SECTOR

pytestmark = pytest.mark.django_db

SEED = json.loads(
    (settings.BASE_DIR / "fixtures" / "brede-reflectie.json").read_text("utf-8")
)
# The published sheet's longest example and its commentary, so the layout is
# tried with texts of the real length.
LONG_EXAMPLE = (
    "Alleenstaande moeder uit Oost-Europees land. Ze heeft een andere "
    "opvoedstijl. De kinderen zijn veel alleen en hebben niet altijd adequate "
    "kleding. Oudere kind past bij ziekte op jongere kind."
)
LONG_DILEMMA = (
    "Wat haal je overhoop in deze gezinssituatie, wanneer er een melding wordt "
    "gedaan? Raak je dan als kinderopvangorganisatie het zicht kwijt op het "
    "gezin? Terwijl de organisatie enorm bijdraagt aan structuur en stabiliteit."
)
LONG_FOLLOW_UP = (
    "Contact met moeder intensiveren en extra opvang aanbieden, door betrokken "
    "leidsters na werktijd, bij moeder thuis. Vangnet van moeder was beperkt."
)
SEED_NOTE = (
    "Wat opvalt bij deze resultaten (in relatie tot andere sectoren) is dat er "
    "veel angst is om ouders/verzorgers onterecht te beschuldigen. "
    * 4
    + "\n\nZeer regelmatig wordt twijfel geuit of het handelen volgens de "
    "meldcode wel zin heeft. " * 3
)


@pytest.fixture
def childcare_sheet(coded_data, staff_user):
    """Five approved examples of the published length and its commentary."""
    from meldcode_survey.accounts.roles import STAFF
    from meldcode_survey.dashboard.models import SectorNote
    from meldcode_survey.responses.models import CaseNarrative
    from meldcode_survey.review.models import Redaction
    from meldcode_survey.review.services import (
        redaction_approve,
        redaction_save,
        redaction_set_example,
    )
    from tests.factories import UserFactory, screened_clean

    approver = UserFactory(role=STAFF, is_staff=True)
    taken = Redaction.objects.values("narrative_id")
    free = CaseNarrative.objects.filter(
        response__version=coded_data, response__sector=BIG_SECTOR
    ).exclude(pk__in=taken)
    for narrative in free.order_by("pk")[:3]:
        redaction = redaction_save(
            narrative=narrative,
            writer=staff_user,
            texts={
                "description": LONG_EXAMPLE,
                "dilemma": LONG_DILEMMA,
                "follow_up": LONG_FOLLOW_UP,
            },
        )
        redaction = screened_clean(redaction)
        redaction_approve(redaction=redaction, approver=approver)
        redaction_set_example(redaction=redaction, is_example=True, user=approver)
    SectorNote.objects.filter(version=coded_data, sector=BIG_SECTOR).update(
        text=SEED_NOTE
    )
    return coded_data


def _reader(export) -> PdfReader:
    with export.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def _words(text: str) -> str:
    return " ".join(text.split())


def _pages_of_elements(document, classes: set[str]) -> dict[int, set[int]]:
    """For each HTML element with one of `classes`: the pages it is laid out on."""
    pages: dict[int, set[int]] = {}

    def walk(box, number):
        element = getattr(box, "element", None)
        if element is not None and classes & set(element.get("class", "").split()):
            pages.setdefault(id(element), set()).add(number)
        for child in getattr(box, "children", ()):
            walk(child, number)

    for number, page in enumerate(document.pages):
        walk(page._page_box, number)
    return pages


def _full_sheet(version, build):
    """Unsuppressed, so that every bar is drawn: the fullest page one."""
    return build(
        version, kind="summary", format="pdf", sector=BIG_SECTOR, unsuppressed=True
    )


def test_the_childcare_sheet_is_the_published_two_pages(childcare_sheet, build):
    export = _full_sheet(childcare_sheet, build)
    pages = [_words(page.extract_text()) for page in _reader(export).pages]

    assert len(pages) == 2
    one, two = pages
    assert SEED["factsheet_intro"].split("\n")[0][:60] in one
    assert "Reacties alle sectoren" in one
    assert "met name afkomstig uit deze sectoren" in one
    # The sector list, most respondents first.
    assert one.index("Kinderopvang 12") < one.index("Onderwijs 3")
    assert "Reacties uit de kinderopvang" in one  # lower case mid-sentence
    assert "Welke dilemma’s spelen er in de kinderopvang?" in one
    assert SEED["dilemma_source"][:60] in one
    assert two.startswith("Casussen uit de kinderopvang") or (
        "Casussen uit de kinderopvang" in two
    )
    assert "Casussen uit de kinderopvang" not in one
    for text in ("Voorbeelden van casussen", "Wat valt op?", "Meer informatie?"):
        assert text in two
    assert SEED["more_information"][:40] in two
    assert LONG_EXAMPLE[:50] in two
    # The running header and footer: date of the data, version and source.
    for page in pages:
        assert "Gegevens tot en met" in page
        assert "vragenlijst versie 1" in page
        assert f"Bron: {SEED['source']}" in page
    with translation.override("nl"):
        note = marks.disclosure_note(load_summary(export).context)
    assert _words(note)[:60] in one  # the disclosure note, below the chart


def test_no_chart_row_or_box_is_split_across_pages(childcare_sheet, build):
    export = _full_sheet(childcare_sheet, build)
    summary = load_summary(export)
    texts = FactsheetTexts.of(childcare_sheet)
    # Longer examples: the sheet runs on to a third page (with the same
    # header), and still nothing is cut in two.
    with translation.override("nl"):
        document = render_factsheet(summary, texts)
        longer = [
            render_factsheet(
                dataclasses.replace(
                    summary,
                    examples=[
                        dataclasses.replace(e, description=e.description * times)
                        for e in summary.examples
                    ],
                ),
                texts,
            )
            for times in (3, 5, 7)
        ]
    assert len(document.pages) == 2
    assert len(longer[-1].pages) == 3
    kept = {"dilemma-chart", "split-chart", "bar-row", "example", "box"}
    for doc in (document, *longer):
        placed = _pages_of_elements(doc, kept)
        assert len(placed) >= len(summary.items) + 5
        assert all(len(numbers) == 1 for numbers in placed.values())


def test_the_sheet_is_tagged_pdf_ua_with_language_title_and_alt_texts(
    childcare_sheet, build
):
    export = _full_sheet(childcare_sheet, build)
    reader = _reader(export)
    root = reader.trailer["/Root"]

    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    assert root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "Werken met de meldcode: Kinderopvang"
    assert b"pdfuaid:part" in reader.xmp_metadata.stream.get_data()

    tags, alts = [], []

    def walk(element):
        element = element.get_object()
        if "/S" in element:
            tags.append(element["/S"])
            if element["/S"] == "/Figure":
                alts.append(str(element.get("/Alt", "")))
        kids = element.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "keys"):
                walk(kid)

    walk(root["/StructTreeRoot"])
    # Reading order: the headings as on the page.
    assert tags.index("/H1") < tags.index("/H2")
    assert {"/Sect", "/P", "/L", "/LI", "/Figure"} <= set(tags)
    # Every figure has an alternative text; each chart gives its figures in words.
    assert all(alts)
    summary = load_summary(export)
    drawn = [item for item in summary.items if item.chart_drawn and item.valid_n.value]
    assert drawn
    for item in drawn:
        alt = next(a for a in alts if a.startswith(item.text))
        for point in item.points:
            assert f"{point.label} {formatting.percent_text(point.share)}" in alt
    assert any(a.startswith("Cirkeldiagram van de casussen") for a in alts)


def test_a_version_without_responses_says_so(seed_version, build):
    export = build(seed_version, kind="summary", format="pdf", sector=BIG_SECTOR)
    text = _words(" ".join(p.extract_text() for p in _reader(export).pages))
    assert "Nog geen reacties" in text
    # No sheet of hidden cells: no figures, no chart, no sector list.
    assert "< 10 professionals" not in text
    assert "Reacties alle sectoren" not in text
    assert "Welke dilemma’s" not in text


def test_the_sheet_holds_the_dashboards_and_the_xlsx_figures(
    childcare_sheet, build, staff_client
):
    """One sector, three outputs, the same numbers (unsuppressed: staff)."""
    fields = {"kind": "summary", "sector": BIG_SECTOR, "unsuppressed": True}
    pdf = build(childcare_sheet, format="pdf", **fields)
    xlsx = build(childcare_sheet, format="xlsx", **fields)
    summary = load_summary(pdf)
    text = _words(" ".join(p.extract_text() for p in _reader(pdf).pages))
    page = _words(
        staff_client.get(f"/dashboard/brede-reflectie/{BIG_SECTOR}/").content.decode()
    )
    with xlsx.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()), read_only=True)
    sheets = {s.title: list(s.iter_rows(values_only=True)) for s in book.worksheets}

    respondents = str(summary.figures.respondents.value)
    assert f"In totaal hebben {respondents} professionals" in text
    assert f">{respondents}<" in page
    assert any(
        row[0] == BIG_SECTOR and row[2] == int(respondents)
        for row in sheets["Respondenten"]
    )

    top = summary.coded.codes[0]
    percent = formatting.percent_text(top.share)
    n, d = top.cases.value, summary.coded.dilemma_cases.value
    assert f"{percent}: {n} van {d}" in text
    named = "genoemd in {} van de gecodeerde casussen met een dilemma ({} van {})"
    assert named.format(percent, n, d) in page
    coded = next(rows for t, rows in sheets.items() if t.startswith("Gecodeerde"))
    row = next(r for r in coded if r[0] == top.key)
    assert row[2] == n
    assert f"{formatting.percent_number(row[3] / 100)}%" == percent

    for item in summary.items:
        for point in item.points:
            if item.chart_drawn and point.share.value:
                assert formatting.percent_text(point.share) in text


def test_a_period_sheet_says_its_coded_figures_are_of_the_whole_period(
    coded_data, build
):
    """As the dashboard and the files do: coded figures are not split by month."""
    import datetime

    month = datetime.date.today().replace(day=1)
    period = {"period_from": month, "period_to": month}
    export = build(
        coded_data, kind="summary", format="pdf", sector=BIG_SECTOR, **period
    )
    whole = build(coded_data, kind="summary", format="pdf", sector=BIG_SECTOR)

    def text(e):
        return _words(" ".join(p.extract_text() for p in _reader(e).pages))

    sentence = "Over de hele periode"
    assert sentence in text(export)
    assert sentence not in text(whole)


def test_a_sheet_without_cases_does_not_say_their_split_is_hidden(
    seed_version, submit_now
):
    """The "fewer than 20" line stands only where a share is withheld."""
    from meldcode_survey.dashboard.queries import sector_summary
    from meldcode_survey.exports.writers.pdf import render_factsheet_html
    from tests.conftest import complete_answers

    no_case = {
        code: None
        for code in ("casus_voorbeeld", "casus_met_dilemma", "casus_dilemma")
        + ("casus_stap", "casus_kindcheck", "casus_opvolging", "casus_uitkomst")
    }
    for _ in range(25):
        submit_now(seed_version, complete_answers(toegepast="no", **no_case))
    summary = sector_summary(version=seed_version, sector=BIG_SECTOR)
    texts = FactsheetTexts.of(seed_version)

    with translation.override("en"):
        html = render_factsheet_html(summary, texts)

    assert "Of the 0 cases described" in html
    assert "The split is not shown" not in html
