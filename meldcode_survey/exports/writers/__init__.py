"""Writers: one function per kind and format, all run by `build_file`.

Summaries take every figure from the aggregation module
(`meldcode_survey.dashboard.queries.sector_summary`), so suppression holds in
every analyst file; raw data reads the responses in chunks (raw.py), except
the raw CSV on PostgreSQL, which the database writes itself (pgcopy.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from meldcode_survey.dashboard.queries import SectorSummary

    from ..models import Export

Progress = Callable[[float], None]


def load_summary(export: Export) -> SectorSummary:
    """The export's figures, from the one aggregation module, as much of them
    as the role the file is made for may see (Export.figure_access), beside those
    of the wave before (reworded items marked, not compared)."""
    from meldcode_survey.dashboard.queries import previous_wave, sector_summary

    access = export.figure_access()
    return sector_summary(
        version=export.version,
        sector=export.sector,
        month_from=export.period_from.replace(day=1) if export.period_from else None,
        month_to=export.period_to.replace(day=1) if export.period_to else None,
        synthetic=export.include_synthetic,
        unsuppressed=access.unsuppressed,
        all_sectors=access.all_sectors,
        compare_version=previous_wave(export.version),
    )


def build_file(export: Export, path: Path, *, progress: Progress) -> int | None:
    """Write the export's file to `path`; returns its number of data rows."""
    if export.kind == export.Kind.RAW:
        return _build_raw(export, path, progress)
    return _build_summary(export, path, progress)


def _build_raw(export: Export, path: Path, progress: Progress) -> int:
    from .raw import RawLayout, RawSelection, iter_rows

    selection = RawSelection(
        version=export.version,
        synthetic=export.include_synthetic,
        sector=export.sector,
        date_from=export.period_from,
        date_to=export.period_to,
        free_text=export.include_free_text,
    )
    layout = RawLayout(export.version, free_text=export.include_free_text)
    if export.format == export.Format.SAV:
        from .sav import write_sav

        rows = iter_rows(layout, selection, progress=lambda f: progress(0.9 * f))
        return write_sav(path, layout, rows, file_label=_file_label(export))
    if connection.vendor == "postgresql":
        from .pgcopy import write_raw_csv_copy

        return write_raw_csv_copy(path, layout, selection, progress=progress)
    from .csv import write_raw_csv

    return write_raw_csv(path, layout, iter_rows(layout, selection, progress=progress))


def _file_label(export: Export) -> str:
    label = f"{export.version.questionnaire.slug} v{export.version.number}"
    if export.include_synthetic:
        label += " " + _("SYNTHETIC DATA")
    return label


def _build_summary(export: Export, path: Path, progress: Progress) -> int | None:
    summary = load_summary(export)
    progress(0.5)
    if export.format == export.Format.PDF:
        from .pdf import FactsheetTexts, write_factsheet_pdf

        texts = FactsheetTexts.of(export.version)
        write_factsheet_pdf(path, summary, texts)
        return None
    from meldcode_survey.dashboard import formatting
    from meldcode_survey.dashboard.queries import marks

    from .summary import summary_tables

    tables = summary_tables(summary)
    if export.format == export.Format.XLSX:
        from .xlsx import write_summary_xlsx

        title = f"{summary.context.questionnaire} · {summary.figures.label}"
        return write_summary_xlsx(
            path,
            tables,
            title=title,
            note=marks.disclosure_note(summary.context),
            synthetic=summary.context.synthetic,
            marks=formatting.mark_definitions(summary.context),
        )
    from .csv import write_summary_csv

    return write_summary_csv(path, tables)
