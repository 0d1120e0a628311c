"""The same cell reads the same for an analyst on the page and in every file.

Figures go through the generated ptable (with noise), and each output computes
its summary on its own (no shared memo), so equal figures mean one rule. Every
kind of cell is compared: counts, shares, means and coded counts, each in the
rounding its output uses (formatting.py), and the "x" of a share whose base is
under 20.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from pypdf import PdfReader

from meldcode_survey.dashboard import formatting
from meldcode_survey.dashboard.queries import marks, sector_summary
from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.review.models import Code, FinalCoding, FinalCodingCode
from tests.dashboard.builders import build as build_rollups
from tests.dashboard.builders import seed_record_keys, spread

from .conftest import BIG_SECTOR

pytestmark = [pytest.mark.django_db, pytest.mark.perturbed]
SMALL = "onderwijs"
SEED = 1  # record keys: the small sector reads under 20 (with 93% of the seeds)


@pytest.fixture(autouse=True)
def memo_summaries():
    """Not memoised here: every output computes its own figures."""


@pytest.fixture
def figures(seed_version):
    """45 respondents in a large sector (shares given), 4 in a small one (shown
    as 10 or a little more, shares "x"), coded cases with codes of 15 and 5."""
    build_rollups(
        seed_version,
        {
            "sector": BIG_SECTOR,
            "count": 45,
            "applied": 36,
            "with_dilemma": 20,
            "without_dilemma": 10,
            "likert": {
                "D01": spread(**{"1": 3, "2": 8, "3": 12, "4": 14, "5": 6, "nvt": 2}),
                "D02": spread(**{"2": 5, "3": 20, "4": 18, "nvt": 2}),
            },
            "choices": {
                "ervaring": spread(**{"0_2": 5, "2_5": 12, "5_10": 13, "10_plus": 15})
            },
        },
        {
            "sector": SMALL,
            "count": 4,
            "applied": 3,
            "with_dilemma": 2,
            "without_dilemma": 1,
        },
    )
    codes = {
        c.key: c
        for c in Code.objects.filter(codebook__questionnaire=seed_version.questionnaire)
    }
    for i, narrative in enumerate(CaseNarrative.objects.order_by("pk")):
        final = FinalCoding.objects.create(
            narrative=narrative, has_dilemma=True, method="single"
        )
        for key, first in (("A", 15), ("B", 5)):
            if i < first:
                FinalCodingCode.objects.create(
                    final=final, code=codes[key], label=codes[key].label
                )
    seed_record_keys(SEED)
    build_rollups(seed_version)
    return seed_version


def _read(export) -> bytes:
    with export.file.open("rb") as handle:
        return handle.read()


def _cells(html: str, row_start: str) -> list[str]:
    """The text of the cells of the table row that starts with `row_start`."""
    row = html[html.index(row_start) :].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def _page_point(point) -> str:
    text = formatting.count_text(point.count)
    if not point.share.hidden and point.share.value is not None:
        text += f" ({formatting.percent_text(point.share)})"
    return text


def _xlsx_figures(book) -> dict[tuple[str, str, str], object]:
    """(table, code, measure) -> value, read through the workbook's codebook."""
    codebook = list(book[book.sheetnames[-1]].iter_rows(min_row=2, values_only=True))
    columns = {(r[0], r[2]): (r[3], r[1]) for r in codebook if len(r) > 3 and r[3]}
    figures = {}
    for sheet in book.worksheets[1:-1]:
        rows = list(sheet.iter_rows(values_only=True))
        headers = rows[0]
        for row in rows[1:]:
            for header, value in zip(headers, row, strict=False):
                table, measure = columns.get((sheet.title, header), (None, None))
                if table and measure not in ("code", "label"):
                    figures[table, row[0], measure] = value
    return figures


def _file_text(value) -> str:
    return "" if value is None else str(value)


def test_every_kind_of_cell_reads_the_same_on_the_page_and_in_every_file(
    figures, build, analyst_client
):
    summary = sector_summary(version=figures, sector=BIG_SECTOR)
    f = summary.figures
    assert f.applied_share.value is not None and not summary.items[0].mean_hidden
    assert summary.coded.codes and summary.coded.codes[0].share.value is not None

    url = reverse("dashboard:sector", args=[figures.questionnaire.slug, BIG_SECTOR])
    page = analyst_client.get(url, {"version": figures.pk}).content.decode()
    files = {
        fmt: build(figures, kind="summary", format=fmt, sector=BIG_SECTOR)
        for fmt in ("csv", "xlsx", "pdf")
    }
    rows = csv.DictReader(io.StringIO(_read(files["csv"]).decode("utf-8-sig")))
    in_csv = {(r["table"], r["code"], r["measure"]): r["value"] for r in rows}
    book = load_workbook(io.BytesIO(_read(files["xlsx"])), read_only=True)
    in_xlsx = _xlsx_figures(book)
    reader = PdfReader(io.BytesIO(_read(files["pdf"])))
    pdf = " ".join(" ".join(p.extract_text() for p in reader.pages).split())

    def in_files(key: tuple[str, str, str], value) -> None:
        assert in_csv[key] == _file_text(value), key
        assert in_xlsx[key] == value, key

    # Counts and shares of the respondents.
    def count(cell):
        return cell.value

    percent = formatting.percent_value
    for code, fig in ((BIG_SECTOR, f), ("all", summary.all_figures)):
        for measure in ("respondents", "applied", "cases", "with_dilemma"):
            in_files(("respondents", code, measure), count(getattr(fig, measure)))
        in_files(("respondents", code, "applied_percent"), percent(fig.applied_share))
        in_files(
            ("respondents", code, "with_dilemma_percent"),
            percent(fig.with_dilemma_share),
        )
    assert f'<p class="key-figure">{formatting.count_text(f.respondents)}</p>' in page
    assert formatting.percent_text(f.applied_share) in page
    assert re.search(rf"\b{f.respondents.value} professionals", pdf)
    assert f"{f.applied.value} professionals" in pdf

    # Every item: counts per point, shares, n.v.t., valid n, mean, top two.
    for item in summary.items:
        cells = _cells(page, f"{escape(item.text)}</th>")
        expected = [_page_point(p) for p in item.points] + [
            formatting.count_text(item.not_applicable.count),
            formatting.count_text(item.valid_n),
            formatting.mean_text(item),
            " ".join(
                t
                for t in (
                    formatting.percent_text(item.top_two),
                    formatting.interval_text(item.top_two),
                )
                if t
            ),
        ]
        assert cells[: len(expected)] == expected, item.code
        for point in item.points:
            in_files(("items", item.code, f"count_{point.value}"), count(point.count))
        in_files(
            ("items", item.code, "not_applicable"), count(item.not_applicable.count)
        )
        in_files(("items", item.code, "valid_n"), count(item.valid_n))
        in_files(("items", item.code, "mean"), formatting.mean_value(item))
        in_files(("items", item.code, "top_two_percent"), percent(item.top_two))
    # The chart in the PDF labels its segments with the page's percentages.
    first = summary.items[0]
    assert all(
        formatting.percent_text(p.share) in pdf
        for p in first.points
        if (p.share.value or 0) >= 0.08
    )

    # Choice questions.
    choice = next(c for c in summary.choices if c.code == "ervaring")
    in_files(("choices", "ervaring", "count"), count(choice.answered))
    for option in choice.options:
        key = f"ervaring_{option.code}"
        in_files(("choices", key, "count"), count(option.count))
        in_files(("choices", key, "percent"), percent(option.share))
        cells = _cells(page, f"{escape(option.label)}</th>")
        expected = [
            formatting.count_text(option.count),
            formatting.percent_text(option.share),
        ]
        assert cells[:2] == expected

    # Coded counts and their shares.
    coded = summary.coded
    in_files(("coded_dilemmas", "coded", "cases"), count(coded.coded_cases))
    in_files(("coded_dilemmas", "with_dilemma", "cases"), count(coded.dilemma_cases))
    named = "named in %(p)s of the coded cases with a dilemma (%(n)s of %(d)s)"
    in_pdf = "%(p)s: %(n)s of %(d)s"
    for code in coded.codes:
        in_files(("coded_dilemmas", code.key, "cases"), count(code.cases))
        in_files(("coded_dilemmas", code.key, "percent"), percent(code.share))
        if not code.cases.value:
            continue
        words = {
            "p": formatting.percent_text(code.share),
            "n": formatting.count_text(code.cases),
            "d": formatting.count_text(coded.dilemma_cases),
        }
        assert _(named) % words in page
        assert _(in_pdf) % words in pdf

    # Every output carries the note and the legend on what was done.
    note = marks.disclosure_note(summary.context)
    assert "afgerond/verstoord" in note
    for text in (page, pdf, " ".join(in_csv.values())):
        assert "afgerond/verstoord" in text
        assert all(e.text in text for e in marks.legend(summary.context))
    cells = (
        str(v)
        for ws in book.worksheets
        for r in ws.iter_rows(values_only=True)
        for v in r
    )
    assert any("afgerond/verstoord" in v for v in cells)


def test_a_small_sector_reads_the_same_everywhere_and_its_shares_are_x(
    figures, build, analyst_client
):
    summary = sector_summary(version=figures, sector=SMALL)
    f = summary.figures
    # 4 respondents: shown as 10 or a little more, and its shares not given.
    assert f.respondents.value >= 10 and f.applied_share.hidden
    url = reverse("dashboard:sector", args=[figures.questionnaire.slug, SMALL])
    page = analyst_client.get(url, {"version": figures.pk}).content.decode()
    assert f'<p class="key-figure">{f.respondents.value}</p>' in page
    for fmt in ("csv", "xlsx"):
        export = build(figures, kind="summary", format=fmt, sector=SMALL)
        if fmt == "csv":
            rows = csv.DictReader(io.StringIO(_read(export).decode("utf-8-sig")))
            found = {(r["table"], r["code"], r["measure"]): r["value"] for r in rows}
        else:
            book = load_workbook(io.BytesIO(_read(export)), read_only=True)
            found = {k: _file_text(v) for k, v in _xlsx_figures(book).items()}
        assert found["respondents", SMALL, "respondents"] == str(f.respondents.value)
        assert found["respondents", SMALL, "applied_percent"] == "x"
        assert found["items", "D01", "mean"] == "x"
        assert not any(str(v).startswith("<") for v in found.values())
