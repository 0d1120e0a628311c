"""XLSX summaries (openpyxl): a sheet per table, the codebook, a note on suppression.

Cells that hold figures are numbers where the module gives a number and text
("x") where it gives none; every text cell is neutralised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .neutralise import neutralise
from .summary import SummaryTable

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WIDE = 60
_NARROW = 14


def sheet_title(title: str) -> str:
    return _SHEET_FORBIDDEN.sub(" ", title)[:31]


def write_summary_xlsx(
    path: Path,
    tables: list[SummaryTable],
    *,
    title: str,
    note: str,
    synthetic: bool = False,
    marks: Sequence[tuple[str, str]] = (),
) -> int:
    """Write the workbook; returns the number of data rows over all sheets.

    `marks` are the codebook's rows for the marks of hidden figures.
    """
    workbook = Workbook(write_only=True)
    _about_sheet(workbook, title, note, synthetic)
    rows = 0
    for table in tables:
        rows += _table_sheet(workbook, table)
    _codebook_sheet(workbook, tables, list(marks))
    workbook.save(path)
    return rows


def _bold(sheet: Any, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    cell.font = Font(bold=True)
    return cell


def _wrapped(sheet: Any, value: Any) -> Any:
    value = neutralise(value)
    if isinstance(value, str) and len(value) > 40:
        cell = WriteOnlyCell(sheet, value=value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell
    return value


def _about_sheet(workbook: Workbook, title: str, note: str, synthetic: bool) -> None:
    sheet = workbook.create_sheet(sheet_title(_("Read me")))
    sheet.column_dimensions["A"].width = 100
    sheet.append([_bold(sheet, title)])
    sheet.append([])
    if synthetic:
        sheet.append(
            [
                _bold(
                    sheet,
                    _(
                        "SYNTHETIC DATA: these figures come from generated test or "
                        "demo responses, not from real professionals. Do not use "
                        "or publish them as results."
                    ),
                )
            ]
        )
        sheet.append([])
    sheet.append([_bold(sheet, _("Note on disclosure control"))])
    sheet.append([_wrapped(sheet, note)])
    sheet.append([])
    sheet.append(
        [
            _wrapped(
                sheet,
                _(
                    "Every figure comes from the platform's aggregation module, "
                    "the same that feeds the dashboard and the PDF fact sheet. "
                    "The sheet 'Codebook' explains every column."
                ),
            )
        ]
    )


def _table_sheet(workbook: Workbook, table: SummaryTable) -> int:
    sheet = workbook.create_sheet(sheet_title(table.title))
    for index, column in enumerate(table.columns, start=1):
        wide = column.id in ("label", "description", "dilemma", "follow_up", "text")
        sheet.column_dimensions[get_column_letter(index)].width = (
            _WIDE if wide else _NARROW
        )
    sheet.freeze_panes = "C2"
    sheet.append([_bold(sheet, column.header) for column in table.columns])
    for row in table.rows:
        sheet.append([_wrapped(sheet, row.get(c.id)) for c in table.columns])
    return len(table.rows)


def _codebook_sheet(
    workbook: Workbook, tables: list[SummaryTable], marks: list[tuple[str, str]]
) -> None:
    """Every column of every sheet: its id (the CSV's `measure`) and definition,
    then what each mark for a hidden figure means."""
    sheet = workbook.create_sheet(sheet_title(_("Codebook")))
    for letter, width in zip("ABCDE", (24, 24, 40, 20, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    headers = (_("Sheet"), _("Column id"), _("Column"), _("CSV table"), _("Definition"))
    sheet.append([_bold(sheet, header) for header in headers])
    for table in tables:
        for column in table.columns:
            values = [sheet_title(table.title), column.id, column.header, table.key]
            sheet.append(
                [neutralise(value) for value in values]
                + [_wrapped(sheet, column.description)]
            )
    sheet.append([])
    for mark, meaning in marks:
        sheet.append([_("Mark"), neutralise(mark), "", "", _wrapped(sheet, meaning)])
