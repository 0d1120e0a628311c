"""SPSS .sav files through pyreadstat, with variable and value labels.

pyreadstat writes a whole data frame at once and cannot append, so the rows are
gathered column by column first, in compact arrays: a coded column (Likert,
yes/no, multiple-choice options: values with labels, all small) takes one byte
per cell plus one for "missing" (pandas' nullable Int8); a single-choice column
is a categorical of its codes (two bytes per cell); other numbers and dates take
eight bytes; only open texts are Python strings. Dates go in as SPSS's own
numbers (seconds since 14 October 1582) with a date format, so pyreadstat does
not copy the frame to convert them. bench/exports_bench.py prints the peak
memory (before: 633 MB for a million responses to the seed questionnaire).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from .raw import DATE, NUMERIC, Column, RawLayout

_SPSS_EPOCH_ORDINAL = date(1582, 10, 14).toordinal()
_SECONDS_PER_DAY = 86_400
_MISSING_INT8 = -128  # never a coded value (those are -127 to 127 below)


def write_sav(
    path: Path, layout: RawLayout, rows: Iterable[list[Any]], *, file_label: str
) -> int:
    """Write the rows to an SPSS file; returns the number of rows."""
    columns = [_Store.for_column(c) for c in layout.columns]
    count = 0
    for row in rows:
        for store, value in zip(columns, row, strict=True):
            store.append(value)
        count += 1
    frame = pd.DataFrame({s.column.name: s.series() for s in columns}, copy=False)
    cols = layout.columns
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=file_label[:64],
        column_labels={c.name: c.label[:255] for c in cols},
        variable_value_labels={c.name: c.value_labels for c in cols if c.value_labels},
        missing_ranges={c.name: list(c.missing) for c in cols if c.missing},
        variable_measure={c.name: c.measure for c in cols if c.measure != "unknown"},
        variable_format={c.name: "DATE11" for c in cols if c.kind == DATE},
    )
    return count


def _is_coded(column: Column) -> bool:
    """A numeric column whose values are all labelled small integers."""
    return (
        column.kind == NUMERIC
        and bool(column.value_labels)
        and all(
            isinstance(v, int) and abs(v) <= 127
            for v in [*column.value_labels, *column.missing]
        )
    )


class _Store:
    """The values of one column, in the most compact array that holds them."""

    def __init__(self, column: Column, values: Any) -> None:
        self.column = column
        self.values = values

    @classmethod
    def for_column(cls, column: Column) -> _Store:
        if _is_coded(column):
            return _CodedStore(column, array("b"))
        if column.kind in (NUMERIC, DATE):
            return _NumberStore(column, array("d"))
        if column.value_labels:
            return _CategoryStore(column, array("h"))
        return cls(column, [])

    def append(self, value: Any) -> None:
        self.values.append("" if value is None else str(value))

    def series(self) -> Any:
        return pd.Series(self.values, dtype=object)


class _CodedStore(_Store):
    def append(self, value: Any) -> None:
        self.values.append(_MISSING_INT8 if value is None else int(value))

    def series(self) -> Any:
        values = np.frombuffer(self.values, dtype=np.int8)
        return pd.arrays.IntegerArray(values, values == _MISSING_INT8)


class _NumberStore(_Store):
    def append(self, value: Any) -> None:
        if value is None:
            self.values.append(math.nan)
        elif self.column.kind == DATE:
            days = value.toordinal() - _SPSS_EPOCH_ORDINAL
            self.values.append(float(days * _SECONDS_PER_DAY))
        else:
            self.values.append(float(value))

    def series(self) -> Any:
        return np.frombuffer(self.values, dtype=np.float64)


class _CategoryStore(_Store):
    """Codes of a single-choice question: their position among the labels."""

    def __init__(self, column: Column, values: Any) -> None:
        super().__init__(column, values)
        self.categories = [str(code) for code in column.value_labels]
        self.positions = {code: i for i, code in enumerate(self.categories)}

    def append(self, value: Any) -> None:
        if value is None or value == "":
            self.values.append(-1)
            return
        text = str(value)
        if text not in self.positions:
            self.positions[text] = len(self.categories)
            self.categories.append(text)
        self.values.append(self.positions[text])

    def series(self) -> Any:
        codes = np.frombuffer(self.values, dtype=np.int16)
        return pd.Categorical.from_codes(codes, categories=self.categories)
