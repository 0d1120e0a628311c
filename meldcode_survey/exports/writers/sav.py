"""SPSS .sav files through pyreadstat, with variable and value labels.

pyreadstat writes a whole data frame at once and cannot append, so the rows are
gathered column by column first: numbers in compact float arrays (8 bytes per
cell), texts as Python strings (choice codes are shared objects). Memory
therefore grows with the data set: bench/exports_bench.py measured a peak of
about 0.65 GB for one million responses to the seed questionnaire without free
text (the CSV export of the same stays at about 80 MB). The CSV export is the
streaming path for larger files.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from .raw import DATE, NUMERIC, RawLayout

_UNIX_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


def write_sav(
    path: Path, layout: RawLayout, rows: Iterable[list[Any]], *, file_label: str
) -> int:
    """Write the rows to an SPSS file; returns the number of rows."""
    columns = layout.columns
    store: list[Any] = [
        array("d") if c.kind in (NUMERIC, DATE) else [] for c in columns
    ]
    count = 0
    for row in rows:
        for index, value in enumerate(row):
            _append(store[index], columns[index].kind, value)
        count += 1
    frame = pd.DataFrame(
        {c.name: _series(c.kind, store[i]) for i, c in enumerate(columns)}
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=file_label[:64],
        column_labels={c.name: c.label[:255] for c in columns},
        variable_value_labels={
            c.name: c.value_labels for c in columns if c.value_labels
        },
        missing_ranges={c.name: list(c.missing) for c in columns if c.missing},
        variable_measure={c.name: c.measure for c in columns if c.measure != "unknown"},
        variable_format={c.name: "DATE11" for c in columns if c.kind == DATE},
    )
    return count


def _append(target: Any, kind: str, value: Any) -> None:
    if kind == NUMERIC:
        target.append(math.nan if value is None else float(value))
    elif kind == DATE:
        target.append(math.nan if value is None else float(value.toordinal()))
    else:
        target.append("" if value is None else str(value))


def _series(kind: str, values: Any) -> Any:
    if kind == NUMERIC:
        return np.frombuffer(values, dtype=np.float64)
    if kind == DATE:
        ordinals = np.frombuffer(values, dtype=np.float64)
        days = ordinals - _UNIX_EPOCH_ORDINAL
        return pd.to_datetime(days, unit="D")
    return pd.Series(values, dtype=object)
