"""CSV files: RFC 4180 (comma, CRLF, double quotes, decimal point), UTF-8 with a
byte-order mark so that Excel opens them as UTF-8. Every text cell is neutralised.

This is the international CSV, for statistics software and scripts. A Dutch
Excel splits on semicolons and reads a decimal comma, so it opens this file as
one column: for Excel the download list offers XLSX first (see exports.forms).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from .neutralise import neutralise
from .raw import RawLayout
from .summary import SummaryTable


def csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> int:
    """Write a header and rows; returns the number of rows (header excluded)."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, dialect="excel", lineterminator="\r\n")
        writer.writerow([csv_value(name) for name in header])
        for row in rows:
            writer.writerow([csv_value(value) for value in row])
            count += 1
    return count


def write_raw_csv(path: Path, layout: RawLayout, rows: Iterable[list[Any]]) -> int:
    return write_csv(path, layout.names, rows)


SUMMARY_HEADER = ["table", "code", "label", "measure", "measure_label", "value"]


def summary_rows(tables: list[SummaryTable]) -> Iterator[list[Any]]:
    """The tables in long form: one row per figure, with stable ids and the
    measure's label (its definition is in the XLSX codebook)."""
    for table in tables:
        for row in table.rows:
            for column in table.measures:
                yield [
                    table.key,
                    row["code"],
                    row["label"],
                    column.id,
                    column.header,
                    row.get(column.id),
                ]


def write_summary_csv(path: Path, tables: list[SummaryTable]) -> int:
    return write_csv(path, SUMMARY_HEADER, summary_rows(tables))
