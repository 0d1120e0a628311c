"""Formula neutralisation for spreadsheet cells (CSV and XLSX).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return can
be taken for a formula by Excel or LibreOffice ("CSV injection"). Such a cell is
prefixed with an apostrophe, which spreadsheets show as text and never run.
Only text is neutralised: numbers are written as numbers, so -3 stays -3.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, with a text that a spreadsheet would run made harmless."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
